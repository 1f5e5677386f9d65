using System.ComponentModel;
using System.Text.Json.Serialization;
using System.ComponentModel.DataAnnotations;
using CryptoIndex.Operator.Api.Schema;

namespace CryptoIndex.Operator.Api;

/// <summary>How a fund weights its constituents.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Weighting>))]
public enum Weighting
{
    MarketCap,
    SqrtMarketCap,
    Equal,
    Manual,
}

[Description("An index fund: its constituents, how they are weighted and capped, its capital, and when and how it rebalances.")]
// CEL has no mixed int/double arithmetic (an int times a double does not compile, and a real API server refuses the
// CRD): size() is converted to double first.
[CelRule("double(size(self.constituents)) * double(self.assetCap.replace('%', '')) >= 100.0",
    "assetCap times the number of constituents must reach 100%: no weighting can respect the cap otherwise", FieldPath = ".assetCap")]
[CelRule("!has(self.assetFloor) || double(self.assetFloor.replace('%', '')) <= double(self.assetCap.replace('%', ''))",
    "assetFloor must not exceed assetCap", FieldPath = ".assetFloor")]
[CelRule("!has(self.assetFloor) || double(size(self.constituents)) * double(self.assetFloor.replace('%', '')) <= 100.0",
    "assetFloor times the number of constituents must not exceed 100%", FieldPath = ".assetFloor")]
[CelRule("self.weighting == 'Manual' ? self.constituents.all(c, has(c.weight)) : self.constituents.all(c, !has(c.weight))",
    "constituents[].weight is required with Manual weighting and not allowed otherwise", FieldPath = ".constituents")]
[CelRule("self.exchange.kind != 'binance' || self.constituents.all(c, !has(c.binancePair) || c.binancePair == c.symbol + 'USDT')",
    "a fund trading on Binance trades symbol + USDT: constituents[].binancePair must be omitted or equal to it", FieldPath = ".constituents")]
public sealed class IndexFundSpec
{
    [Description("Human-friendly name shown by tools and dashboards.")]
    [Size(0, 100)]
    public string? DisplayName { get; set; }

    [Description("What the fund is for.")]
    [Size(0, 1000)]
    public string? Description { get; set; }

    [Description("Currency of capital, prices and NAV. Only USD is supported: prices are quoted in USD (USDT on Binance).")]
    [DefaultValue("USD")]
    [Pattern("^USD$")]
    public string QuoteCurrency { get; set; } = "USD";

    [Description("Initial capital in the quote currency, as an integer or a decimal string (\"100000\", \"2500.50\"); never a float.")]
    [Required]
    [IntOrString]
    [JsonConverter(typeof(IntOrStringConverter))]
    [Pattern(Formats.AmountPattern)]
    [Bounds(0, Formats.AmountMaximum)]
    public string Capital { get; set; } = "0";

    [Description("How constituents are weighted before capping: MarketCap, SqrtMarketCap (square root of market cap), Equal, or Manual (constituents[].weight).")]
    [DefaultValue(nameof(Weighting.MarketCap))]
    public Weighting Weighting { get; set; } = Weighting.MarketCap;

    [Description("Maximum weight of any one asset, e.g. \"25%\". The excess is spread over the other assets pro rata.")]
    [DefaultValue("100%")]
    [Pattern(Formats.PercentPattern)]
    public string AssetCap { get; set; } = "100%";

    [Description("Minimum weight of every asset, e.g. \"1%\". Optional.")]
    [Pattern(Formats.PercentPattern)]
    public string? AssetFloor { get; set; }

    [Description("The assets of the index, each listed once.")]
    [Required]
    [Size(1, 100)]
    [ListMap("symbol")]
    public List<ConstituentSpec> Constituents { get; set; } = [];

    [Description("When and how the fund rebalances.")]
    [DefaultValue("{}")]
    public RebalanceSpec Rebalance { get; set; } = new();

    [Description("Where prices and market caps come from, how often, and how old they may be.")]
    [DefaultValue("{}")]
    public PricesSpec Prices { get; set; } = new();

    [Description("Where orders are executed.")]
    [DefaultValue("{}")]
    public ExchangeSpec Exchange { get; set; } = new();

    [Description("While true, the fund is still priced and reported but never trades.")]
    [DefaultValue(false)]
    public bool Suspend { get; set; }

    [Description("While true, rebalances are planned and recorded in status but never executed.")]
    [DefaultValue(false)]
    public bool DryRun { get; set; }

    [Description("How many recent rebalances and trades status keeps.")]
    [DefaultValue(50)]
    [Bounds(1, 500)]
    public int HistoryLimit { get; set; } = 50;
}

[Description("One asset of the index.")]
public sealed class ConstituentSpec
{
    [Description("Ticker, upper case: BTC, ETH.")]
    [Required]
    [Pattern(Formats.SymbolPattern)]
    [Size(1, 15)] // as the pattern says; the bound keeps the CEL rule on binancePair cheap for the API server
    public string Symbol { get; set; } = string.Empty;

    [Description("Display name: Bitcoin.")]
    [Size(0, 100)]
    public string? Name { get; set; }

    [Description("CoinGecko's id for the asset (a slug, not a ticker): bitcoin, avalanche-2.")]
    [Pattern("^[a-z0-9-]{1,100}$")]
    public string? CoinGeckoId { get; set; }

    [Description("Binance pair the asset is priced from (the binance provider, and CoinGecko's fallback to it); default: symbol + USDT. "
        + "Orders on Binance always go to symbol + USDT, so with exchange kind binance it must be omitted or equal that; a paper fund may price from any pair.")]
    [Pattern(Formats.BinancePairPattern)]
    [Size(2, 20)] // as the pattern says
    public string? BinancePair { get; set; }

    [Description("Weight with Manual weighting, e.g. \"40%\"; above 0%, and the weights must sum to exactly 100%.")]
    [Pattern(Formats.PositivePercentPattern)]
    public string? Weight { get; set; }

    [Description("This asset's own cap, overriding assetCap, e.g. \"10%\".")]
    [Pattern(Formats.PercentPattern)]
    public string? Cap { get; set; }
}
