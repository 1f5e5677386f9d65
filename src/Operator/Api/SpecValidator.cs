using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Operator.Api;

/// <summary>
/// Parses and validates a fund's spec: every rule of the CRD's schema and CEL rules (an API server may not evaluate
/// CEL, and the <c>plan</c> command has no API server), plus the Engine's feasibility rules, which it reuses rather
/// than repeats. Every problem is reported, each naming its field; a definition is returned only when there is none.
/// </summary>
public static class SpecValidator
{
    /// <summary>The shortest refresh interval a fund may ask for: price providers are shared and rate limited.</summary>
    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(10);

    public static (FundDefinition? Definition, IReadOnlyList<FieldError> Errors) Validate(IndexFundSpec? spec)
    {
        var errors = new List<FieldError>();
        if (spec is null)
        {
            return (null, [new FieldError("spec", "spec is required")]);
        }

        var parse = new Parser(errors);
        if (!string.Equals(spec.QuoteCurrency, "USD", StringComparison.Ordinal))
        {
            errors.Add(new FieldError("spec.quoteCurrency", $"'{spec.QuoteCurrency}' is not supported: prices are quoted in USD"));
        }

        var negative = decimal.TryParse(spec.Capital, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var signed) && signed < 0m;
        var capital = negative ? 0m : parse.Amount("spec.capital", spec.Capital);
        if (capital is 0m)
        {
            errors.Add(new FieldError("spec.capital", "capital must be greater than 0"));
        }

        var beforeWeighting = errors.Count;
        var cap = parse.Percent("spec.assetCap", spec.AssetCap) ?? 1m;
        var floor = spec.AssetFloor is null ? 0m : parse.Percent("spec.assetFloor", spec.AssetFloor) ?? 0m;
        var constituents = ParseConstituents(spec, parse);
        // Only problems with what the weighting reads hold its check back (a CoinGecko id typo does not).
        var weightingParsed = !errors.Skip(beforeWeighting).Any(e => e.Field is "spec.assetCap" or "spec.assetFloor" or "spec.constituents"
            || e.Field.EndsWith(".symbol", StringComparison.Ordinal) || e.Field.EndsWith(".weight", StringComparison.Ordinal) || e.Field.EndsWith(".cap", StringComparison.Ordinal));
        var policy = ParsePolicy(spec.Rebalance ?? new RebalanceSpec(), parse, out var parsedPolicy);
        var planning = ParsePlanning(spec, policy, parse);
        var prices = ParsePrices(spec.Prices ?? new PricesSpec(), parse, errors);
        var exchange = ParseExchange(spec.Exchange ?? new ExchangeSpec(), parse, errors);
        if (spec.HistoryLimit is < 1 or > 500)
        {
            errors.Add(new FieldError("spec.historyLimit", $"{spec.HistoryLimit} is out of range 1..500"));
        }

        // The Engine's rules run on whatever parsed, so that one round of fixes meets every problem at once.
        var weighting = new WeightingRules(ToEngine(spec.Weighting), cap, floor);
        if (weightingParsed)
        {
            CheckWeighting(weighting, constituents, errors);
        }

        errors.AddRange(PolicyValidation.CheckAll(parsedPolicy).Select(e => new FieldError("spec." + e.Field, e.Message)));

        return errors.Count > 0
            ? (null, errors)
            : (new FundDefinition(capital!.Value, weighting, constituents, policy!, planning!, prices!, exchange!, spec.Suspend, spec.DryRun, spec.HistoryLimit), errors);
    }

    /// <summary>The weighting rules are the Engine's: run them, with neutral market caps (feasibility does not depend on them).</summary>
    private static void CheckWeighting(WeightingRules weighting, IReadOnlyList<ConstituentDefinition> constituents, List<FieldError> errors)
    {
        var probe = constituents.Select(c => new Constituent(c.Symbol, MarketCap: 1m, c.ManualWeight, c.Cap)).ToList();
        var weights = TargetWeights.Compute(probe, weighting);
        if (!weights.IsSuccess)
        {
            errors.Add(new FieldError("spec." + weights.Error.Field, weights.Error.Message));
        }
    }

    private static List<ConstituentDefinition> ParseConstituents(IndexFundSpec spec, Parser parse)
    {
        var list = new List<ConstituentDefinition>();
        if (spec.Constituents is not { Count: > 0 })
        {
            parse.Errors.Add(new FieldError("spec.constituents", "at least one constituent is required"));
            return list;
        }

        if (spec.Constituents.Count > 100)
        {
            parse.Errors.Add(new FieldError("spec.constituents", $"{spec.Constituents.Count} constituents; at most 100 are allowed"));
        }

        var binance = (spec.Exchange ?? new ExchangeSpec()).Kind == ExchangeKind.Binance;
        for (var i = 0; i < spec.Constituents.Count; i++)
        {
            var c = spec.Constituents[i];
            var field = $"spec.constituents[{i}]";
            if (string.IsNullOrEmpty(c.Symbol))
            {
                parse.Errors.Add(new FieldError(field + ".symbol", "symbol is required"));
            }

            parse.Match(field + ".symbol", c.Symbol, Formats.SymbolPattern, "an upper-case ticker such as BTC");
            parse.Match(field + ".coinGeckoId", c.CoinGeckoId, "^[a-z0-9-]{1,100}$", "a CoinGecko id such as bitcoin");
            parse.Match(field + ".binancePair", c.BinancePair, Formats.BinancePairPattern, "a Binance pair such as BTCUSDT");
            if (binance && BinancePairs.CheckTradedPair(field + ".binancePair", c.Symbol, c.BinancePair) is { } pairError)
            {
                parse.Errors.Add(pairError);
            }

            var weight = c.Weight is null ? null : parse.Percent(field + ".weight", c.Weight);
            var ownCap = c.Cap is null ? null : parse.Percent(field + ".cap", c.Cap);
            if (spec.Weighting == Weighting.Manual && c.Weight is null)
            {
                parse.Errors.Add(new FieldError(field + ".weight", $"Manual weighting needs a weight for {c.Symbol}"));
            }
            else if (spec.Weighting != Weighting.Manual && c.Weight is not null)
            {
                parse.Errors.Add(new FieldError(field + ".weight", $"weight is only allowed with Manual weighting, not {spec.Weighting}"));
            }

            list.Add(new ConstituentDefinition(c.Symbol ?? string.Empty, c.Name, c.CoinGeckoId, c.BinancePair ?? BinancePairs.Traded(c.Symbol ?? string.Empty), weight, ownCap));
        }

        return list;
    }

    /// <summary>
    /// The policy, or null when a part did not parse; <paramref name="parsed"/> holds the parts that did (a threshold that
    /// did not stands in as 0, which passes), so that the policy's own rules still check them.
    /// </summary>
    private static RebalancePolicy? ParsePolicy(RebalanceSpec rebalance, Parser parse, out RebalancePolicy parsed)
    {
        var threshold = parse.Percent("spec.rebalance.threshold", rebalance.Threshold);
        var total = rebalance.TotalThreshold is null ? null : parse.Percent("spec.rebalance.totalThreshold", rebalance.TotalThreshold);
        var max = parse.Duration("spec.rebalance.maxInterval", rebalance.MaxInterval);
        var min = parse.Duration("spec.rebalance.minInterval", rebalance.MinInterval);
        parsed = new RebalancePolicy(threshold ?? 0m, total, max, min);
        return threshold is null || max is null || min is null ? null : parsed;
    }

    private static PlanOptions? ParsePlanning(IndexFundSpec spec, RebalancePolicy? policy, Parser parse)
    {
        var rebalance = spec.Rebalance ?? new RebalanceSpec();
        var minTrade = parse.Amount("spec.rebalance.minTradeValue", rebalance.MinTradeValue);
        var buffer = parse.Percent("spec.rebalance.cashBuffer", rebalance.CashBuffer);
        if (buffer >= 1m)
        {
            parse.Errors.Add(new FieldError("spec.rebalance.cashBuffer", "the cash buffer must be below 100%"));
        }

        var fee = parse.Percent("spec.exchange.feeRate", (spec.Exchange ?? new ExchangeSpec()).FeeRate);
        if (fee >= Engine.Limits.FeeRateBound)
        {
            parse.Errors.Add(new FieldError("spec.exchange.feeRate", $"the fee rate must be below {Engine.Format.Percent(Engine.Limits.FeeRateBound, 0)}"));
        }

        var mode = rebalance.Mode == RebalanceMode.ToBandEdge ? Engine.Planning.RebalanceMode.ToBandEdge : Engine.Planning.RebalanceMode.ToTarget;
        return minTrade is null || buffer is null || fee is null || policy is null
            ? null
            : new PlanOptions(fee.Value, mode, policy.AssetThreshold, minTrade.Value, buffer.Value);
    }

    private static PriceSettings? ParsePrices(PricesSpec prices, Parser parse, List<FieldError> errors)
    {
        var refresh = parse.Duration("spec.prices.refreshInterval", prices.RefreshInterval);
        var maxAge = parse.Duration("spec.prices.maxAge", prices.MaxAge);
        if (refresh < MinRefreshInterval)
        {
            errors.Add(new FieldError("spec.prices.refreshInterval", $"{prices.RefreshInterval} is shorter than the minimum of {Engine.Format.Duration(MinRefreshInterval)}"));
        }

        if (refresh > maxAge)
        {
            errors.Add(new FieldError("spec.prices.refreshInterval", "refreshInterval must not be longer than maxAge: prices would always be stale"));
        }

        return refresh is null || maxAge is null ? null : new PriceSettings(ProviderName(prices.Provider), refresh.Value, maxAge.Value);
    }

    /// <summary>The market-data provider's name (<c>coingecko</c>, <c>binance</c>, <c>file</c>).</summary>
    public static string ProviderName(PriceProvider provider) => provider switch
    {
        PriceProvider.Binance => "binance",
        PriceProvider.File => "file",
        _ => "coingecko",
    };

    private static ExchangeSettings? ParseExchange(ExchangeSpec exchange, Parser parse, List<FieldError> errors)
    {
        if (exchange.Kind == ExchangeKind.Binance && exchange.CredentialsSecretRef is null)
        {
            errors.Add(new FieldError("spec.exchange.credentialsSecretRef", "binance needs credentialsSecretRef naming a Secret with apiKey and secretKey"));
        }

        parse.Match("spec.exchange.credentialsSecretRef.name", exchange.CredentialsSecretRef?.Name, "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", "a Secret name");
        var fee = Values.TryParsePercent(exchange.FeeRate, out var rate) ? rate : (decimal?)null;
        return fee is null ? null : new ExchangeSettings(exchange.Kind, fee.Value, exchange.CredentialsSecretRef?.Name, exchange.Testnet);
    }

    private static WeightingScheme ToEngine(Weighting weighting) => weighting switch
    {
        Weighting.SqrtMarketCap => WeightingScheme.SqrtMarketCap,
        Weighting.Equal => WeightingScheme.Equal,
        Weighting.Manual => WeightingScheme.Manual,
        _ => WeightingScheme.MarketCap,
    };

    /// <summary>Parses one value, recording an error that names the field and shows what was expected.</summary>
    private sealed class Parser(List<FieldError> errors)
    {
        public List<FieldError> Errors => errors;

        public decimal? Percent(string field, string? text)
        {
            if (Values.TryParsePercent(text, out var value))
            {
                return value;
            }

            errors.Add(new FieldError(field, $"'{text}' is not a percentage such as \"25%\" (0% to 100%, at most 8 decimals)"));
            return null;
        }

        public decimal? Amount(string field, string? text)
        {
            if (Values.TryParseAmount(text, out var value))
            {
                return value;
            }

            // Digits the schema's pattern allows too many of are named by the rule, not as "not an amount".
            var parts = text is not null && System.Text.RegularExpressions.Regex.IsMatch(text, @"^[0-9]+(\.[0-9]+)?$") ? text.Split('.') : null;
            var rule = "an amount has at most 15 integer digits and 8 decimals, such as 100000 or \"2500.50\"";
            errors.Add(new FieldError(field, parts switch
            {
                [var whole, ..] when whole.Length > 15 => $"'{text}' has {whole.Length} integer digits: {rule}",
                [_, var fraction] when fraction.Length > 8 => $"'{text}' has {fraction.Length} decimals: {rule}",
                _ => $"'{text}' is not an amount such as 100000 or \"2500.50\"",
            }));
            return null;
        }

        public TimeSpan? Duration(string field, string? text)
        {
            if (Values.TryParseDuration(text, out var value))
            {
                return value;
            }

            errors.Add(new FieldError(field, $"'{text}' is not a duration such as \"720h\" or \"1h30m\""));
            return null;
        }

        public void Match(string field, string? text, string pattern, string expected)
        {
            if (text is not null && !Formats.IsWholeMatch(text, new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant)))
            {
                errors.Add(new FieldError(field, $"'{text}' is not {expected}"));
            }
        }
    }
}
