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
public sealed record StaleAsset(AssetRef Asset, StaleReason Reason, TimeSpan? Age, PriceRejection? LastRejection)
{
    public string Describe(TimeSpan maxAge) => Reason switch
    {
        StaleReason.TooOld => $"{Asset.Symbol} ({Engine.Format.Duration(Age!.Value)} old, maxAge {Engine.Format.Duration(maxAge)}{Because()})",
        _ => $"{Asset.Symbol} (no price{Because()})",
    };

    private string Because() => LastRejection is null ? string.Empty : $"; last rejected: {LastRejection.Reason}";
}

/// <summary>
/// The shared market data as of one refresh: the latest accepted quote of every tracked asset (possibly from an
/// earlier refresh, with the time it was observed), the values rejected in this refresh, and the sources that failed.
/// Assets are keyed by their full <see cref="AssetRef"/> (symbol and provider ids): two funds that give one symbol
/// different ids get different prices, never each other's. Immutable: every fund reads the same object.
/// </summary>
public sealed record MarketSnapshot(
    DateTimeOffset? RefreshedAt,
    IReadOnlyDictionary<AssetRef, PriceQuote> Quotes,
    IReadOnlyList<PriceRejection> Rejections,
    IReadOnlyList<string> SourceFailures,
    IReadOnlySet<AssetRef> RequestedAssets)
{
    public static MarketSnapshot Empty { get; } = new(null, new Dictionary<AssetRef, PriceQuote>(), [], [], new HashSet<AssetRef>());

    public PriceQuote? Quote(AssetRef asset) => Quotes.GetValueOrDefault(asset);

    /// <summary>
    /// The assets among <paramref name="assets"/> whose price is missing or older than <paramref name="maxAge"/> at
    /// <paramref name="now"/>, in the order given. A fund with any such asset must not trade.
    /// </summary>
    public IReadOnlyList<StaleAsset> StaleAssets(IEnumerable<AssetRef> assets, TimeSpan maxAge, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(assets);
        var stale = new List<StaleAsset>();
        foreach (var asset in assets)
        {
            var rejection = Rejections.LastOrDefault(r => r.Asset == asset);
            if (!Quotes.TryGetValue(asset, out var quote))
            {
                stale.Add(new StaleAsset(asset, StaleReason.NoPrice, null, rejection));
            }
            else if (now - quote.ObservedAt > maxAge)
            {
                stale.Add(new StaleAsset(asset, StaleReason.TooOld, now - quote.ObservedAt, rejection));
            }
        }

        return stale;
    }
}
