using System.ComponentModel;
using System.Text.Json.Serialization;
using CryptoIndex.Operator.Api.Schema;

namespace CryptoIndex.Operator.Api;

/// <summary>Price providers a fund can use.</summary>
[LowerCaseEnum]
[JsonConverter(typeof(JsonStringEnumConverter<PriceProvider>))]
public enum PriceProvider
{
    [JsonStringEnumMemberName("coingecko")]
    CoinGecko,

    [JsonStringEnumMemberName("binance")]
    Binance,

    [JsonStringEnumMemberName("file")]
    File,
}

[Description("Where prices come from.")]
[CelRule("duration(self.refreshInterval) <= duration(self.maxAge)", "refreshInterval must not be longer than maxAge: prices would always be stale", FieldPath = ".refreshInterval")]
public sealed class PricesSpec
{
    [Description("coingecko (Binance as fallback), binance (prices only, no market caps: Equal or Manual weighting only, MarketCap and SqrtMarketCap report TargetsUnavailable), or file (a document the operator is configured with).")]
    [DefaultValue("coingecko")]
    public PriceProvider Provider { get; set; } = PriceProvider.CoinGecko;

    [Description("How often prices are refreshed (shared by all funds on the same provider).")]
    [DefaultValue("60s")]
    [Pattern(Formats.DurationPattern)]
    public string RefreshInterval { get; set; } = "60s";

    [Description("Prices older than this are stale: the fund reports PricesStale and does not trade.")]
    [DefaultValue("10m")]
    [Pattern(Formats.DurationPattern)]
    public string MaxAge { get; set; } = "10m";
}
