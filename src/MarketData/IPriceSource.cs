namespace CryptoIndex.MarketData;

/// <summary>
/// A provider of prices (and possibly market caps) in the quote currency. One call fetches every asset it is given,
/// in as few requests as the provider's page limit allows. A provider that cannot answer at all throws
/// <see cref="PriceSourceException"/>; assets it cannot serve individually come back as rejections.
/// </summary>
public interface IPriceSource
{
    /// <summary>Stable name, used in metrics, logs and status (<c>coingecko</c>, <c>binance</c>, <c>file</c>).</summary>
    string Name { get; }

    /// <summary>Whether the source reports market caps (Binance does not).</summary>
    bool ReportsMarketCaps { get; }

    Task<SourceResult> FetchAsync(IReadOnlyList<AssetRef> assets, CancellationToken cancellationToken);
}

/// <summary>A source could not answer (after its own retries): the next source is tried.</summary>
public sealed class PriceSourceException : Exception
{
    public PriceSourceException(string sourceName, string message, Exception? inner = null)
        : base($"{sourceName}: {message}", inner)
    {
        SourceName = sourceName;
    }

    public PriceSourceException()
        : this("unknown", "price source failed")
    {
    }

    public PriceSourceException(string message)
        : this("unknown", message)
    {
    }

    public PriceSourceException(string message, Exception innerException)
        : this("unknown", message, innerException)
    {
    }

    /// <summary>The failing source's name.</summary>
    public string SourceName { get; }
}
