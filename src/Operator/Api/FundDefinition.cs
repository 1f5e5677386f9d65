using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Operator.Api;

/// <summary>A spec error: the field (a path such as <c>spec.constituents[2].weight</c>) and what is wrong with it.</summary>
public sealed record FieldError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>One constituent as the operator uses it: the Engine's view plus the ids the price sources need.</summary>
public sealed record ConstituentDefinition(string Symbol, string? Name, string? CoinGeckoId, string BinancePair, decimal? ManualWeight, decimal? Cap);

/// <summary>Price settings of a fund, parsed.</summary>
public sealed record PriceSettings(string Provider, TimeSpan RefreshInterval, TimeSpan MaxAge);

/// <summary>Exchange settings of a fund, parsed.</summary>
public sealed record ExchangeSettings(ExchangeKind Kind, decimal FeeRate, string? CredentialsSecret, bool Testnet);

/// <summary>
/// A fund's spec after parsing and validation: exact numbers and durations, ready for the Engine. Produced only by
/// <see cref="SpecValidator"/>, so holding one means the spec was valid.
/// </summary>
public sealed record FundDefinition(
    decimal Capital,
    WeightingRules Weighting,
    IReadOnlyList<ConstituentDefinition> Constituents,
    RebalancePolicy Policy,
    PlanOptions Planning,
    PriceSettings Prices,
    ExchangeSettings Exchange,
    bool Suspend,
    bool DryRun,
    int HistoryLimit)
{
    /// <summary>The Engine's constituents, with market caps from a price snapshot (unused by Equal and Manual).</summary>
    public IReadOnlyList<Constituent> EngineConstituents(Func<string, decimal?> marketCapOf)
    {
        ArgumentNullException.ThrowIfNull(marketCapOf);
        return [.. Constituents.Select(c => new Constituent(c.Symbol, marketCapOf(c.Symbol), c.ManualWeight, c.Cap))];
    }
}
