using System.Reflection;
using System.Text.Json.Nodes;
using CryptoIndex.MarketData;
using CryptoIndex.MarketData.Http;
using CryptoIndex.Operator.Configuration;
using CryptoIndex.Packaging.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace CryptoIndex.Packaging.Tests.Chart;

/// <summary>
/// marketData.http and marketData.validation: each value set reaches the operator as its MarketData__Http__* or
/// MarketData__Validation__* variable, exactly as given, and only then; every variable the chart can render is one
/// the operator reads (it refuses to start on any other).
/// </summary>
public sealed class ChartMarketDataSettingsTests
{
    private static async Task<JsonObject> ValuesAsync(string file) =>
        Manifests.ToJson(await File.ReadAllTextAsync(file))!.AsObject();

    /// <summary>The environment as the operator's configuration reads it (<c>__</c> separates sections), MarketData only.</summary>
    private static IConfiguration Configuration(Dictionary<string, string> env) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(env.Where(e => e.Key.StartsWith("MarketData__", StringComparison.Ordinal))
                .Select(e => KeyValuePair.Create(e.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), (string?)e.Value)))
            .Build();

    private static List<string> Tuning(Dictionary<string, string> env) =>
        [.. env.Keys.Where(k => k.StartsWith("MarketData__Http__", StringComparison.Ordinal) || k.StartsWith("MarketData__Validation__", StringComparison.Ordinal))];

    [Theory]
    [InlineData("http", typeof(SourceHttpOptions))]
    [InlineData("validation", typeof(MarketDataOptions))]
    public async Task The_values_are_the_operators_settings_in_its_order_each_empty_by_default(string group, Type options)
    {
        var values = (await ValuesAsync(Path.Combine(Support.Chart.Folder, "values.yaml")))["marketData"]![group]!.AsObject();

        // The properties ConfigurationValues.Bind reads, in declaration order, camelCased.
        var settings = options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true })
            .OrderBy(p => p.MetadataToken)
            .Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]);
        Assert.Equal(settings, values.Select(v => v.Key));
        Assert.All(values, v => Assert.Equal(string.Empty, (string?)v.Value));
    }

    [Fact]
    public async Task By_default_no_Http_or_Validation_variable_is_set()
    {
        Assert.Empty(Tuning(Support.Chart.OperatorEnv(await Support.Chart.TemplateAsync())));
    }

    [Fact]
    public async Task Every_value_set_becomes_its_variable_with_the_text_given()
    {
        var env = Support.Chart.OperatorEnv(await Support.Chart.TemplateAsync("settings-values.yaml"));

        // settings-values.yaml writes maxRetries, breakerMinimumThroughput, maxPriceJump, acceptJumpAfter and
        // fallbackShare as YAML numbers (Helm reads them as float64: 1000000 would print as 1e+06), the rest as strings.
        Assert.Equal(
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["MarketData__Http__AttemptTimeout"] = "00:00:05",
                ["MarketData__Http__TotalTimeout"] = "00:01:00",
                ["MarketData__Http__MaxRetries"] = "5",
                ["MarketData__Http__RetryBaseDelay"] = "00:00:00.5",
                ["MarketData__Http__BreakerFailureRatio"] = "0.75",
                ["MarketData__Http__BreakerMinimumThroughput"] = "10",
                ["MarketData__Http__BreakerSamplingDuration"] = "00:05:00",
                ["MarketData__Http__BreakDuration"] = "00:00:30",
                ["MarketData__Validation__MaxPriceJump"] = "1000000",
                ["MarketData__Validation__AcceptJumpAfter"] = "0",
                ["MarketData__Validation__RefreshTimeout"] = "00:03:00",
                ["MarketData__Validation__FallbackShare"] = "0.25",
            },
            Tuning(env).ToDictionary(k => k, k => env[k], StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_MarketData_variable_the_chart_can_render_is_read_by_the_operator()
    {
        // settings-values.yaml sets every marketData value but the key's Secret, and every http and validation key.
        var values = await ValuesAsync(Path.Combine(Support.Chart.Folder, "ci", "settings-values.yaml"));
        var defaults = await ValuesAsync(Path.Combine(Support.Chart.Folder, "values.yaml"));
        foreach (var group in new[] { "http", "validation" })
        {
            Assert.Equal(defaults["marketData"]![group]!.AsObject().Select(v => v.Key).Order(StringComparer.Ordinal), values["marketData"]![group]!.AsObject().Select(v => v.Key).Order(StringComparer.Ordinal));
        }

        var env = Support.Chart.OperatorEnv(await Support.Chart.TemplateAsync("settings-values.yaml", "marketData.coinGecko.apiKeySecret.name=coingecko"));
        var (settings, secret) = MarketDataConfiguration.Bind(Configuration(env)); // throws on a key it does not read

        Assert.Equal(12, Tuning(env).Count);
        Assert.Equal(new SecretKeyReference(Support.Chart.Namespace, "coingecko", "apiKey"), secret);
        Assert.Equal(
            new SourceHttpOptions
            {
                AttemptTimeout = TimeSpan.FromSeconds(5),
                TotalTimeout = TimeSpan.FromMinutes(1),
                MaxRetries = 5,
                RetryBaseDelay = TimeSpan.FromMilliseconds(500),
                BreakerFailureRatio = 0.75,
                BreakerMinimumThroughput = 10,
                BreakerSamplingDuration = TimeSpan.FromMinutes(5),
                BreakDuration = TimeSpan.FromSeconds(30),
            },
            settings.Http);
        Assert.Equal(
            new MarketDataOptions { MaxPriceJump = 1_000_000m, AcceptJumpAfter = 0, RefreshTimeout = TimeSpan.FromMinutes(3), FallbackShare = 0.25 },
            settings.Validation);
        Assert.Equal(new Uri("http://binance-proxy.internal:8080/"), settings.BinanceBaseUrl);
    }

    [Theory]
    [InlineData("--set", "marketData.validation.fallbackShare=0.25", "MarketData__Validation__FallbackShare", "0.25")] // --set keeps it a string
    [InlineData("--set-json", "marketData.validation.fallbackShare=0.25", "MarketData__Validation__FallbackShare", "0.25")] // a float64
    [InlineData("--set-json", "marketData.validation.fallbackShare=0.0000001", "MarketData__Validation__FallbackShare", "1e-7")] // JSON's text of it
    [InlineData("--set-json", "marketData.validation.fallbackShare=0", "MarketData__Validation__FallbackShare", "0")] // 0 is a value, not the default
    [InlineData("--set", "marketData.http.maxRetries=0", "MarketData__Http__MaxRetries", "0")] // an int64 zero
    [InlineData("--set", "marketData.validation.maxPriceJump=1000000", "MarketData__Validation__MaxPriceJump", "1000000")]
    [InlineData("--set-json", "marketData.validation.maxPriceJump=1000000", "MarketData__Validation__MaxPriceJump", "1000000")] // not 1e+06
    [InlineData("--set-string", "marketData.validation.maxPriceJump=12.50", "MarketData__Validation__MaxPriceJump", "12.50")]
    [InlineData("--set", "marketData.validation.refreshTimeout=00:00:00.5", "MarketData__Validation__RefreshTimeout", "00:00:00.5")]
    [InlineData("--set", "marketData.http.breakDuration=1.00:00:00", "MarketData__Http__BreakDuration", "1.00:00:00")]
    public async Task A_value_reaches_the_operator_as_given_however_Helm_typed_it(string flag, string set, string name, string expected)
    {
        var env = Support.Chart.OperatorEnv(await Support.Chart.TemplateWithAsync(flag, set));

        Assert.Equal([name], Tuning(env));
        Assert.Equal(expected, env[name]);
        MarketDataConfiguration.Bind(Configuration(env));
    }

    [Fact]
    public async Task Values_missing_as_after_reuse_values_from_an_older_chart_set_nothing()
    {
        // helm upgrade --reuse-values keeps the old release's values, without the maps this chart version added.
        var m = await Support.Chart.TemplateAsync(string.Empty, "marketData.http=null", "marketData.validation=null");

        Assert.Empty(Tuning(Support.Chart.OperatorEnv(m)));
    }

    [Theory]
    [InlineData("MarketData__Http__MaxRetries")]
    [InlineData("MARKETDATA__HTTP__MAXRETRIES")] // the same setting to the operator: configuration keys ignore case
    public async Task A_variable_set_both_from_a_value_and_in_extraEnv_is_refused(string name)
    {
        string[] extraEnv = ["--set", $"extraEnv[0].name={name}", "--set-string", "extraEnv[0].value=5"];

        var both = await Support.Chart.TryTemplateAsync(string.Empty, ["marketData.http.maxRetries=3"], null, extraEnv);
        var extraOnly = await Support.Chart.TemplateWithAsync(extraEnv);

        Assert.NotEqual(0, both.Exit);
        Assert.Contains("extraEnv: MarketData__Http__MaxRetries is set by the chart from marketData.http.maxRetries; set it there", both.Err, StringComparison.Ordinal);
        Assert.Equal("5", Support.Chart.OperatorEnv(extraOnly)[name]);
    }

    [Fact]
    public async Task A_key_the_operator_does_not_read_is_refused_even_without_the_schema()
    {
        var result = await Support.Chart.TryTemplateAsync(string.Empty, ["marketData.http.totalTimout=00:01:00"], null, "--skip-schema-validation");

        Assert.NotEqual(0, result.Exit);
        Assert.Contains("marketData.http.totalTimout is not a setting: marketData.http takes attemptTimeout, totalTimeout, maxRetries,", result.Err, StringComparison.Ordinal);
    }
}
