using System.Collections.Immutable;

namespace CryptoIndex.Engine.Portfolio;

/// <summary>
/// What a fund owns: cash in the quote currency and a quantity per asset. Quantities are kept sorted by symbol
/// (ordinal) so that everything derived from them is produced in one order; zero quantities are not stored.
/// </summary>
public sealed record Holdings(decimal Cash, ImmutableSortedDictionary<string, decimal> Quantities)
{
    public static Holdings CashOnly(decimal cash) => new(cash, ImmutableSortedDictionary.Create<string, decimal>(StringComparer.Ordinal));

    public static Holdings Of(decimal cash, params (string Symbol, decimal Quantity)[] quantities)
    {
        ArgumentNullException.ThrowIfNull(quantities);
        var builder = ImmutableSortedDictionary.CreateBuilder<string, decimal>(StringComparer.Ordinal);
        foreach (var (symbol, quantity) in quantities)
        {
            if (builder.ContainsKey(symbol))
            {
                throw new ArgumentException($"{symbol} is listed twice", nameof(quantities));
            }

            if (quantity != 0m)
            {
                builder[symbol] = quantity;
            }
        }

        return new Holdings(cash, builder.ToImmutable());
    }

    public decimal QuantityOf(string symbol) => Quantities.TryGetValue(symbol, out var quantity) ? quantity : 0m;

    /// <summary>True when the fund holds no asset at all (only cash, possibly none).</summary>
    public bool HasNoPositions => Quantities.Values.All(quantity => quantity == 0m);

    /// <summary>The same holdings without any of <paramref name="symbols"/> (the part of a fund that can trade, say).</summary>
    public Holdings Without(IEnumerable<string> symbols) => this with { Quantities = Quantities.RemoveRange(symbols) };

    public Holdings WithQuantity(string symbol, decimal quantity) =>
        this with { Quantities = quantity == 0m ? Quantities.Remove(symbol) : Quantities.SetItem(symbol, quantity) };
}
