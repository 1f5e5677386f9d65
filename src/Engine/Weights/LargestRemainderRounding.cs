using System.Buffers;

namespace CryptoIndex.Engine.Weights;

/// <summary>
/// Rounds weights that sum to 1 onto a grid of 10^-precision so that they still sum to exactly 1: every weight is
/// first rounded down, then the units still missing go one each to the largest remainders. Ties go to the larger
/// base, then to the symbol that sorts first (ordinal), so the result never depends on input order and a larger
/// base never ends up with a smaller weight. The largest remainders are found by selection (O(n) expected), not
/// by sorting.
/// </summary>
internal static class LargestRemainderRounding
{
    public static void Round(Span<decimal> weights, decimal[] bases, SymbolTieBreak symbols, int precision)
    {
        var n = weights.Length;
        var unit = DecimalMath.Unit(precision);
        var remainders = ArrayPool<decimal>.Shared.Rent(n);
        var candidates = ArrayPool<int>.Shared.Rent(n);
        try
        {
            var roundedSum = 0m;
            var candidateCount = 0;
            for (var i = 0; i < n; i++)
            {
                var down = DecimalMath.Truncate(weights[i], precision);
                remainders[i] = weights[i] - down;
                weights[i] = down;
                roundedSum += down;
                if (remainders[i] > 0m)
                {
                    candidates[candidateCount++] = i;
                }
            }

            var missingUnits = (int)decimal.Round((1m - roundedSum) / unit);
            if (missingUnits < 0 || missingUnits > candidateCount)
            {
                throw new InvalidOperationException(
                    $"Weights did not sum to 1 before rounding ({missingUnits} units missing, {candidateCount} candidates).");
            }

            if (missingUnits == 0)
            {
                return;
            }

            if (missingUnits < candidateCount)
            {
                SelectFirst<int, RemainderOrder<decimal>>(candidates.AsSpan(0, candidateCount), missingUnits, new RemainderOrder<decimal>(remainders, bases, symbols));
            }

            for (var k = 0; k < missingUnits; k++)
            {
                weights[candidates[k]] += unit;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(candidates);
            ArrayPool<decimal>.Shared.Return(remainders);
        }
    }

    /// <summary>
    /// Rearranges <paramref name="items"/> so that its first <paramref name="count"/> entries are the ones that sort
    /// first under <paramref name="order"/> (in no particular order among themselves): Hoare's selection with a
    /// median-of-three pivot. <paramref name="order"/> must be a strict total order.
    /// </summary>
    internal static void SelectFirst<T, TOrder>(Span<T> items, int count, TOrder order)
        where TOrder : struct, IComparer<T>, allows ref struct
    {
        var target = count - 1;
        int low = 0, high = items.Length - 1;
        while (high > low)
        {
            var middle = low + ((high - low) / 2);
            if (order.Compare(items[middle], items[low]) < 0)
            {
                (items[middle], items[low]) = (items[low], items[middle]);
            }

            if (order.Compare(items[high], items[low]) < 0)
            {
                (items[high], items[low]) = (items[low], items[high]);
            }

            if (order.Compare(items[high], items[middle]) < 0)
            {
                (items[high], items[middle]) = (items[middle], items[high]);
            }

            var pivot = items[middle];
            int i = low, j = high;
            while (i <= j)
            {
                while (order.Compare(items[i], pivot) < 0)
                {
                    i++;
                }

                while (order.Compare(items[j], pivot) > 0)
                {
                    j--;
                }

                if (i <= j)
                {
                    (items[i], items[j]) = (items[j], items[i]);
                    i++;
                    j--;
                }
            }

            if (target <= j)
            {
                high = j;
            }
            else if (target >= i)
            {
                low = i;
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>
    /// Largest remainder first; ties to the larger base, then to the symbol that sorts first (ordinal). Generic in the
    /// remainder so the decimal path and the exact 128-bit path share one order.
    /// </summary>
    internal readonly ref struct RemainderOrder<TRemainder>(TRemainder[] remainders, decimal[] bases, SymbolTieBreak symbols) : IComparer<int>
        where TRemainder : IComparable<TRemainder>
    {
        private readonly SymbolTieBreak symbols = symbols;

        public int Compare(int x, int y)
        {
            var byRemainder = remainders[y].CompareTo(remainders[x]);
            if (byRemainder != 0)
            {
                return byRemainder;
            }

            var byBase = bases[y].CompareTo(bases[x]);
            return byBase != 0 ? byBase : symbols.Compare(x, y);
        }
    }
}
