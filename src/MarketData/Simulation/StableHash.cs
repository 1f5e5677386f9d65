using System.Text;

namespace CryptoIndex.MarketData.Simulation;

/// <summary>
/// Counter-based randomness that is the same on every machine and in every process (string.GetHashCode is not):
/// FNV-1a for names, SplitMix64 for mixing counters into uniform numbers.
/// </summary>
internal static class StableHash
{
    private const decimal TwoTo53 = 9_007_199_254_740_992m;

    public static ulong Of(string text)
    {
        var hash = 14_695_981_039_346_656_037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1_099_511_628_211UL;
        }

        return hash;
    }

    public static ulong Mix(ulong x)
    {
        x += 0x9E37_79B9_7F4A_7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>A uniform number in [0, 1) for (stream, counter, draw): 53 random bits, exact in decimal.</summary>
    public static decimal Uniform(ulong stream, long counter, int draw) =>
        (Mix(Mix(stream ^ (ulong)counter) + (ulong)draw) >> 11) / TwoTo53;

    /// <summary>
    /// An approximately standard normal number: the sum of 12 uniforms less 6 (Irwin–Hall; mean 0, variance 1,
    /// tails cut at ±6), in decimal arithmetic only.
    /// </summary>
    public static decimal Normal(ulong stream, long counter)
    {
        var sum = 0m;
        for (var draw = 0; draw < 12; draw++)
        {
            sum += Uniform(stream, counter, draw);
        }

        return sum - 6m;
    }
}
