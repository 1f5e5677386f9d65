namespace CryptoIndex.MarketData;

/// <summary>Why an asset has no usable price for a fund.</summary>
public enum StaleReason
{
    /// <summary>No price was ever accepted for the asset.</summary>
    NoPrice,

    /// <summary>The last accepted price is older than the fund's maximum age.</summary>
    TooOld,
}

/// <summary>An asset a fund cannot trade on, with the numbers for the status message.</summary>
public sealed record StaleAsset(string Symbol, StaleReason Reason, TimeSpan? Age, PriceRejection? LastRejection)
{
    public string Describe(TimeSpan maxAge) => Reason switch
    {
        StaleReason.TooOld => $"{Symbol} ({Engine.Format.Duration(Age!.Value)} old, maxAge {Engine.Format.Duration(maxAge)}{Because()})",
        _ => $"{Symbol} (no price{Because()})",
    };

    private string Because() => LastRejection is null ? string.Empty : $"; last rejected: {LastRejection.Reason}";
}

/// <summary>
/// The shared market data as of one refresh: the latest accepted quote of every tracked asset (possibly from an
/// earlier refresh, with the time it was observed), the values rejected in this refresh, and the sources that failed.
/// Immutable: every fund reads the same object.
/// </summary>
public sealed record MarketSnapshot(
    DateTimeOffset? RefreshedAt,
    IReadOnlyDictionary<string, PriceQuote> Quotes,
    IReadOnlyList<PriceRejection> Rejections,
    IReadOnlyList<string> SourceFailures,
    IReadOnlySet<string> RequestedSymbols)
{
    public static MarketSnapshot Empty { get; } = new(
        null,
        new Dictionary<string, PriceQuote>(StringComparer.Ordinal),
        [],
        [],
        new HashSet<string>(StringComparer.Ordinal));

    /// <summary>
    /// The assets among <paramref name="symbols"/> whose price is missing or older than <paramref name="maxAge"/> at
    /// <paramref name="now"/>, in the order given. A fund with any such asset must not trade.
    /// </summary>
    public IReadOnlyList<StaleAsset> StaleAssets(IEnumerable<string> symbols, TimeSpan maxAge, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var stale = new List<StaleAsset>();
        foreach (var symbol in symbols)
        {
            var rejection = Rejections.LastOrDefault(r => string.Equals(r.Symbol, symbol, StringComparison.Ordinal));
            if (!Quotes.TryGetValue(symbol, out var quote))
            {
                stale.Add(new StaleAsset(symbol, StaleReason.NoPrice, null, rejection));
            }
            else if (now - quote.ObservedAt > maxAge)
            {
                stale.Add(new StaleAsset(symbol, StaleReason.TooOld, now - quote.ObservedAt, rejection));
            }
        }

        return stale;
    }
}
