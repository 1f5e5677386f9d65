using System.Buffers;
using System.Numerics;

namespace CryptoIndex.Engine.Weights;

/// <summary>
/// Finds the largest remainders of <see cref="FixedPointWeights"/> without comparing 128-bit remainders, bases and
/// symbols for every candidate: a histogram of each remainder's leading bits settles all but one bucket, a
/// selection on 64-bit keys settles that bucket, and only candidates whose keys tie at the threshold are ordered in
/// full. The result is the one <see cref="LargestRemainderRounding.SelectFirst{T, TOrder}"/> gives under the full
/// order, which the tests check on random and tie-heavy remainders.
/// </summary>
internal static class RemainderSelection
{
    private const int MaxBucketBits = 11;

    /// <summary>
    /// Puts the <paramref name="count"/> candidates that come first in <paramref name="order"/> at the front (in no
    /// particular order among themselves; the rest of the span is scratch); <paramref name="count"/> is below the
    /// number of candidates. Each key is a
    /// remainder shifted right by <paramref name="shift"/> (0 when remainders fit in 64 bits): a larger key means a
    /// larger remainder, so the full order is needed only among equal keys.
    /// </summary>
    public static void SelectLargest(
        Span<int> candidates, int count, UInt128[] remainders, int shift, LargestRemainderRounding.RemainderOrder<UInt128> order)
    {
        var n = candidates.Length;
        var keys = ArrayPool<ulong>.Shared.Rent(n);
        var rest = ArrayPool<int>.Shared.Rent(n);
        var restKeys = ArrayPool<ulong>.Shared.Rent(n);
        try
        {
            var maxKey = 0UL;
            for (var k = 0; k < n; k++)
            {
                keys[k] = Key(remainders[candidates[k]], shift);
                maxKey = Math.Max(maxKey, keys[k]);
            }

            // Leading bits of each key pick a bucket; counting down from the top bucket finds the one that holds the
            // count-th largest. Every candidate above it wins outright; only that bucket's candidates go on.
            var bucketBits = Math.Clamp(BitOperations.Log2((uint)n), 1, MaxBucketBits);
            var bucketShift = Math.Max(0, 64 - BitOperations.LeadingZeroCount(maxKey) - bucketBits);
            Span<int> histogram = stackalloc int[1 << MaxBucketBits]; // zeroed: the project does not skip locals' init
            histogram = histogram[..((int)(maxKey >> bucketShift) + 1)];
            for (var k = 0; k < n; k++)
            {
                histogram[(int)(keys[k] >> bucketShift)]++;
            }

            var thresholdBucket = histogram.Length - 1;
            for (var above = 0; above + histogram[thresholdBucket] < count; thresholdBucket--)
            {
                above += histogram[thresholdBucket];
            }

            int winners = 0, restCount = 0;
            for (var k = 0; k < n; k++)
            {
                var bucket = (int)(keys[k] >> bucketShift);
                if (bucket > thresholdBucket)
                {
                    candidates[winners++] = candidates[k];
                }
                else if (bucket == thresholdBucket)
                {
                    rest[restCount] = candidates[k];
                    restKeys[restCount++] = keys[k];
                }
            }

            SelectWithinBucket(candidates, winners, count - winners, rest.AsSpan(0, restCount), restKeys.AsSpan(0, restCount), keys, order);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(restKeys);
            ArrayPool<int>.Shared.Return(rest);
            ArrayPool<ulong>.Shared.Return(keys);
        }
    }

    /// <summary>
    /// Writes the <paramref name="needed"/> best of one bucket's candidates after the <paramref name="winners"/>
    /// already chosen: the threshold key by selection on the keys, then the full order among those equal to it.
    /// </summary>
    private static void SelectWithinBucket(
        Span<int> candidates, int winners, int needed, Span<int> rest, Span<ulong> restKeys, Span<ulong> scratch, LargestRemainderRounding.RemainderOrder<UInt128> order)
    {
        // The threshold: the needed-th largest key, found on a copy (scratch: the caller's keys, no longer needed).
        var keys = scratch[..rest.Length];
        restKeys.CopyTo(keys);
        LargestRemainderRounding.SelectFirst(keys, needed, default(Descending));
        var threshold = ulong.MaxValue;
        foreach (var key in keys[..needed])
        {
            threshold = Math.Min(threshold, key);
        }

        // Above the threshold every candidate wins; of those exactly at it, as many as are still needed.
        var tiedCount = 0;
        for (var k = 0; k < rest.Length; k++)
        {
            if (restKeys[k] > threshold)
            {
                candidates[winners++] = rest[k];
                needed--;
            }
            else if (restKeys[k] == threshold)
            {
                rest[tiedCount++] = rest[k];
            }
        }

        var tied = rest[..tiedCount];
        if (needed < tiedCount)
        {
            LargestRemainderRounding.SelectFirst(tied, needed, order);
        }

        tied[..needed].CopyTo(candidates[winners..]);
    }

    // UInt128's shift is a call, not an instruction: skipped when there is nothing to shift.
    private static ulong Key(UInt128 remainder, int shift) => shift == 0 ? (ulong)remainder : (ulong)(remainder >> shift);

    private readonly struct Descending : IComparer<ulong>
    {
        public int Compare(ulong x, ulong y) => y.CompareTo(x);
    }
}
