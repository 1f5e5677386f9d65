using System.ComponentModel;
using System.Text.Json.Serialization;
using CryptoIndex.Operator.Api.Schema;

namespace CryptoIndex.Operator.Api;

/// <summary>How far a rebalance trades.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RebalanceMode>))]
public enum RebalanceMode
{
    ToTarget,
    ToBandEdge,
}

[Description("When the fund rebalances and how far.")]
[CelRule("duration(self.minInterval) <= duration(self.maxInterval)", "minInterval must not be longer than maxInterval", FieldPath = ".minInterval")]
public sealed class RebalanceSpec
{
    [Description("Rebalance when any asset is more than this many percentage points from its target, e.g. \"5%\".")]
    [DefaultValue("5%")]
    [Pattern(Formats.PercentPattern)]
    public string Threshold { get; set; } = "5%";

    [Description("Rebalance when total drift (half the sum of absolute drifts, i.e. the turnover needed) exceeds this. Optional.")]
    [Pattern(Formats.PercentPattern)]
    public string? TotalThreshold { get; set; }

    [Description("Rebalance at least this often, even within thresholds, e.g. \"720h\" (whole hours, minutes and seconds, as in \"1h30m\"); above 0.")]
    [DefaultValue("720h")]
    [Pattern(Formats.DurationPattern)]
    public string MaxInterval { get; set; } = "720h";

    [Description("Never rebalance more often than this, unless the constituents changed.")]
    [DefaultValue("1h")]
    [Pattern(Formats.DurationPattern)]
    public string MinInterval { get; set; } = "1h";

    [Description("ToTarget trades every asset back to its target; ToBandEdge trades only assets outside target ± threshold, to the nearest edge.")]
    [DefaultValue(nameof(RebalanceMode.ToTarget))]
    public RebalanceMode Mode { get; set; } = RebalanceMode.ToTarget;

    [Description("Orders worth less than this (quote currency) are not sent.")]
    [DefaultValue("10")]
    [IntOrString]
    [JsonConverter(typeof(IntOrStringConverter))]
    [Pattern(Formats.AmountPattern)]
    [Bounds(0, Formats.AmountMaximum)]
    public string MinTradeValue { get; set; } = "10";

    [Description("Share of NAV kept in cash, e.g. \"2%\"; below 100%.")]
    [DefaultValue("0%")]
    [Pattern(Formats.PercentPattern)]
    public string CashBuffer { get; set; } = "0%";
}
