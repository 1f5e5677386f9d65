using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace CryptoIndex.Engine.Weights;

/// <summary>
/// The duplicate-symbol check of <see cref="TargetWeights"/>: an open-addressing table of symbol indices keyed by a
/// cheap hash of the symbol's characters, in pooled arrays. Symbols compare ordinally (they are identifiers; the CRD
/// restricts them to upper case). The hash is not randomized, so symbols crafted to collide could make probing slow;
/// a probe sequence longer than <see cref="MaxProbes"/> hands the whole check to a <see cref="HashSet{T}"/>, whose
/// string hashing is randomized under such collisions.
/// </summary>
internal static class SymbolSet
{
    internal const int MaxProbes = 64;

    [ThreadStatic]
    private static HashSet<string>? fallback;

    /// <summary>The index of the first constituent whose symbol repeats an earlier one, or -1 when all are distinct.</summary>
    public static int FirstDuplicate(ReadOnlySpan<Constituent> symbols) => FirstDuplicate(symbols, out _);

    /// <summary>
    /// <see cref="FirstDuplicate(ReadOnlySpan{Constituent})"/>, also telling the longest probe sequence an insert needed
    /// (<see cref="MaxProbes"/> when the check moved to the hash set): how well the hash spreads the symbols.
    /// </summary>
    internal static int FirstDuplicate(ReadOnlySpan<Constituent> symbols, out int longestProbe)
    {
        longestProbe = 0;
        // At most a quarter full, so most probes end at the first slot (a miss there is a mispredicted branch).
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, symbols.Length * 4));

        // One entry per slot: the hash's low half (its high bits chose the slot) above the symbol's index + 1, 0 when
        // empty; one memory access per probe, and symbols are compared only when 32 more bits of hash agree.
        var entries = ArrayPool<ulong>.Shared.Rent(size);
        try
        {
            Array.Clear(entries, 0, size);
            var mask = size - 1;
            var slotShift = 64 - BitOperations.Log2((uint)size);
            for (var i = 0; i < symbols.Length; i++)
            {
                var hash = Hash(symbols[i].Symbol);
                var check = hash << 32;
                var slot = (int)(hash >> slotShift);
                for (var probes = 0; entries[slot] != 0; probes++)
                {
                    var entry = entries[slot];
                    if ((entry & 0xFFFF_FFFF_0000_0000UL) == check && string.Equals(symbols[(int)(uint)entry - 1].Symbol, symbols[i].Symbol, StringComparison.Ordinal))
                    {
                        return i;
                    }

                    if (probes == MaxProbes)
                    {
                        longestProbe = MaxProbes;
                        return FirstDuplicateBySet(symbols);
                    }

                    slot = (slot + 1) & mask;
                    longestProbe = Math.Max(longestProbe, probes + 1);
                }

                entries[slot] = check | (uint)(i + 1);
            }

            return -1;
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(entries);
        }
    }

    private static int FirstDuplicateBySet(ReadOnlySpan<Constituent> symbols)
    {
        var seen = fallback ??= new HashSet<string>(StringComparer.Ordinal);
        seen.Clear();
        try
        {
            for (var i = 0; i < symbols.Length; i++)
            {
                if (!seen.Add(symbols[i].Symbol))
                {
                    return i;
                }
            }

            return -1;
        }
        finally
        {
            seen.Clear();
        }
    }

    /// <summary>
    /// A 64-bit hash of the characters whose top bits, which pick the slot, depend on every byte: symbols of up to eight
    /// characters are two overlapping eight-byte reads (or, up to three characters, packed whole), each multiplied by
    /// an odd constant, which carries every bit of it into the top bits; longer ones also fold in the bytes between.
    /// </summary>
    internal static ulong Hash(string symbol)
    {
        var bytes = MemoryMarshal.AsBytes(symbol.AsSpan());
        ulong first, last;
        if (bytes.Length >= sizeof(ulong))
        {
            first = MemoryMarshal.Read<ulong>(bytes);
            last = MemoryMarshal.Read<ulong>(bytes[^sizeof(ulong)..]);
            for (var offset = sizeof(ulong); offset < bytes.Length - sizeof(ulong); offset += sizeof(ulong))
            {
                first = BitOperations.RotateLeft(first * 0x9E3779B97F4A7C15UL, 31) ^ MemoryMarshal.Read<ulong>(bytes[offset..]);
            }
        }
        else
        {
            // Up to three characters: packed whole.
            first = 0;
            for (var offset = 0; offset < bytes.Length; offset += sizeof(char))
            {
                first |= (ulong)MemoryMarshal.Read<ushort>(bytes[offset..]) << (8 * offset);
            }

            last = 0;
        }

        var hash = (first * 0x9E3779B97F4A7C15UL) + (BitOperations.RotateLeft(last, 32) * 0xC2B2AE3D27D4EB4FUL) + (ulong)bytes.Length;

        // One more multiply of the folded halves: the top bits of each product alone depend only on their own input.
        return (hash ^ (hash >> 29)) * 0xBF58476D1CE4E5B9UL;
    }
}
