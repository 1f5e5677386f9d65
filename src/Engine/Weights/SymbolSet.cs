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
    private const int MaxProbes = 64;

    [ThreadStatic]
    private static HashSet<string>? fallback;

    /// <summary>The index of the first symbol that repeats an earlier one, or -1 when all are distinct.</summary>
    public static int FirstDuplicate(ReadOnlySpan<string> symbols)
    {
        // At most half full, so an absent symbol's probe ends after about two slots.
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, symbols.Length * 2));
        var slots = ArrayPool<int>.Shared.Rent(size);
        var hashes = ArrayPool<ulong>.Shared.Rent(size);
        try
        {
            Array.Clear(slots, 0, size);
            var mask = size - 1;
            var slotShift = 64 - BitOperations.Log2((uint)size);
            for (var i = 0; i < symbols.Length; i++)
            {
                var hash = Hash(symbols[i]);
                var slot = (int)(hash >> slotShift);
                for (var probes = 0; slots[slot] != 0; probes++)
                {
                    var other = slots[slot] - 1;
                    if (hashes[slot] == hash && string.Equals(symbols[other], symbols[i], StringComparison.Ordinal))
                    {
                        return i;
                    }

                    if (probes == MaxProbes)
                    {
                        return FirstDuplicateBySet(symbols);
                    }

                    slot = (slot + 1) & mask;
                }

                slots[slot] = i + 1; // 0 marks an empty slot
                hashes[slot] = hash;
            }

            return -1;
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(hashes);
            ArrayPool<int>.Shared.Return(slots);
        }
    }

    private static int FirstDuplicateBySet(ReadOnlySpan<string> symbols)
    {
        var seen = fallback ??= new HashSet<string>(StringComparer.Ordinal);
        seen.Clear();
        try
        {
            for (var i = 0; i < symbols.Length; i++)
            {
                if (!seen.Add(symbols[i]))
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
    /// A 64-bit hash of the characters, eight bytes at a time (the last eight overlap when the length is not a
    /// multiple), finished so that the top bits, which pick the slot, depend on every byte.
    /// </summary>
    internal static ulong Hash(string symbol)
    {
        var bytes = MemoryMarshal.AsBytes(symbol.AsSpan());
        ulong hash;
        if (bytes.Length >= sizeof(ulong))
        {
            hash = (ulong)bytes.Length;
            for (var offset = 0; offset + sizeof(ulong) < bytes.Length; offset += sizeof(ulong))
            {
                hash = BitOperations.RotateLeft((hash ^ MemoryMarshal.Read<ulong>(bytes[offset..])) * 0x9E3779B97F4A7C15UL, 23);
            }

            hash ^= MemoryMarshal.Read<ulong>(bytes[^sizeof(ulong)..]);
        }
        else
        {
            // Up to three characters: packed whole, with the length in the top byte.
            hash = (ulong)bytes.Length << 56;
            for (var offset = 0; offset < bytes.Length; offset += sizeof(char))
            {
                hash |= (ulong)MemoryMarshal.Read<ushort>(bytes[offset..]) << (8 * offset);
            }
        }

        // MurmurHash3's 64-bit finalizer: every input bit reaches the top bits (one multiply alone left short, regular
        // symbols such as AAAA..ZZZZ clustered).
        hash ^= hash >> 33;
        hash *= 0xFF51AFD7ED558CCDUL;
        hash ^= hash >> 33;
        hash *= 0xC4CEB9FE1A85EC53UL;
        return hash ^ (hash >> 33);
    }
}
