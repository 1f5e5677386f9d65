namespace CryptoIndex.Engine.Weights;

/// <summary>
/// The last tie-break of largest-remainder rounding: the symbol that sorts first (ordinal). Read from the constituents
/// themselves (copying every symbol reference into an array of its own costs a GC write barrier per asset), or from
/// ranks an <see cref="IndexUniverse"/> worked out once, so that a tie never compares strings.
/// </summary>
internal readonly ref struct SymbolTieBreak
{
    private readonly ReadOnlySpan<Constituent> constituents;
    private readonly ReadOnlySpan<int> ranks;

    private SymbolTieBreak(ReadOnlySpan<Constituent> constituents, ReadOnlySpan<int> ranks)
    {
        this.constituents = constituents;
        this.ranks = ranks;
    }

    public static SymbolTieBreak BySymbol(ReadOnlySpan<Constituent> constituents) => new(constituents, default);

    /// <summary><paramref name="ranks"/>[i] is the place of asset i's symbol in ordinal order.</summary>
    public static SymbolTieBreak ByRank(ReadOnlySpan<int> ranks) => new(default, ranks);

    /// <summary>Negative when asset <paramref name="x"/>'s symbol sorts before asset <paramref name="y"/>'s.</summary>
    public int Compare(int x, int y) => ranks.IsEmpty
        ? string.CompareOrdinal(constituents[x].Symbol, constituents[y].Symbol)
        : ranks[x].CompareTo(ranks[y]);
}
