using CryptoIndex.MarketData.Sources;
using CryptoIndex.Operator.Configuration;
using CryptoIndex.LocalKube;
using Microsoft.Extensions.Configuration;

namespace CryptoIndex.Operator.Tests.Configuration;

public sealed class MarketDataConfigurationTests
{
    [Fact]
    public void Settings_bind_from_configuration_and_default_the_rest()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MarketData:CoinGecko:BaseUrl"] = "https://proxy.example/api/v3/",
            ["MarketData:CoinGecko:Plan"] = "Pro",
            ["MarketData:CoinGecko:ApiKeySecret"] = "cryptoindex-system/coingecko/apiKey",
            ["MarketData:CoinGeckoRequestsPerMinute"] = "500",
            ["MarketData:Http:AttemptTimeout"] = "00:00:05",
            ["MarketData:Validation:MaxPriceJump"] = "20",
            ["MarketData:Validation:FallbackShare"] = "0.4",
        }).Build();

        var (settings, secret) = MarketDataConfiguration.Bind(configuration);

        Assert.Equal(new Uri("https://proxy.example/api/v3/"), settings.CoinGecko.EffectiveBaseUrl);
        Assert.Equal((CoinGeckoPlan.Pro, 500), (settings.CoinGecko.Plan, settings.CoinGeckoRequestsPerMinute));
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Http.AttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Http.TotalTimeout);
        Assert.Equal(20m, settings.Validation.MaxPriceJump);
        Assert.Equal(3, settings.Validation.AcceptJumpAfter);
        Assert.Equal((0.4, TimeSpan.FromMinutes(2)), (settings.Validation.FallbackShare, settings.Validation.RefreshTimeout));
        Assert.Equal(new SecretKeyReference("cryptoindex-system", "coingecko", "apiKey"), secret);
        Assert.Null(settings.FilePath);
    }

    [Theory]
    [InlineData("CG-pasted-key-itself", "has 1 part")]
    [InlineData("cryptoindex-system/CG-pasted-key", "has 2 parts")]
    [InlineData("cryptoindex-system//CG-pasted-key", "has 3 parts, 1 empty")]
    public void A_malformed_secret_reference_is_a_clear_configuration_error_that_does_not_show_the_value(string value, string given)
    {
        var error = RefusedWith(
            "MarketData:CoinGecko:ApiKeySecret",
            value,
            "MarketData:CoinGecko:ApiKeySecret must name the key's Secret as namespace/name/key, three non-empty parts separated by '/'; "
            + "the value given (not shown, in case it is the key itself) " + given);

        Assert.DoesNotContain("CG-pasted-key", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MarketData:BinanceBaseUrl", "", "https://data-api.binance.vision/")]
    [InlineData("MarketData:BinanceBaseUrl", "http://binance-proxy:8080", "http://binance-proxy:8080/")]
    [InlineData("MarketData:BinanceBaseUrl", "https://proxy.example/binance", "https://proxy.example/binance/")]
    [InlineData("MarketData:CoinGecko:BaseUrl", "", "https://api.coingecko.com/api/v3/")]
    [InlineData("MarketData:CoinGecko:BaseUrl", "https://proxy.example/api/v3", "https://proxy.example/api/v3/")]
    [InlineData("MarketData:CoinGecko:BaseUrl", "https://proxy.example/api/v3/", "https://proxy.example/api/v3/")]
    public void An_empty_base_url_means_the_default_and_one_without_a_trailing_slash_gets_one(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        var (settings, _) = MarketDataConfiguration.Bind(configuration);

        Assert.Equal(expected, (key.EndsWith("BinanceBaseUrl", StringComparison.Ordinal) ? settings.BinanceBaseUrl : settings.CoinGecko.EffectiveBaseUrl).AbsoluteUri);
    }

    [Theory]
    [InlineData("FallbackShare", "1", "MarketData:Validation:FallbackShare must be from 0 to below 1 (a share of RefreshTimeout), not 1")]
    [InlineData("FallbackShare", "-0.25", "MarketData:Validation:FallbackShare must be from 0 to below 1 (a share of RefreshTimeout), not -0.25")]
    [InlineData("MaxPriceJump", "0.5", "MarketData:Validation:MaxPriceJump must be 0 (no check) or above 1 (a factor: 10 rejects a price over 10× or under 1/10 of the last), not 0.5")]
    [InlineData("MaxPriceJump", "-10", "MarketData:Validation:MaxPriceJump must be 0 (no check) or above 1 (a factor: 10 rejects a price over 10× or under 1/10 of the last), not -10")]
    [InlineData("AcceptJumpAfter", "-1", "MarketData:Validation:AcceptJumpAfter must be 0 (never) or a number of refreshes, not -1")]
    [InlineData("RefreshTimeout", "-00:00:05", "MarketData:Validation:RefreshTimeout must be above 0 and at most 1.00:00:00, not -00:00:05")]
    [InlineData("RefreshTimeout", "60.00:00:00", "MarketData:Validation:RefreshTimeout must be above 0 and at most 1.00:00:00, not 60.00:00:00")]
    public void A_refresh_setting_out_of_range_is_a_configuration_error_naming_it(string key, string value, string message) =>
        RefusedWith("MarketData:Validation:" + key, value, message);

    [Theory]
    [InlineData("CoinGecko:PageSize", "0", "MarketData:CoinGecko:PageSize must be from 1 to 250 (ids per request), not 0")]
    [InlineData("CoinGecko:PageSize", "251", "MarketData:CoinGecko:PageSize must be from 1 to 250 (ids per request), not 251")]
    [InlineData("CoinGecko:BaseUrl", "proxy.local/api/v3/", "MarketData:CoinGecko:BaseUrl must be an absolute http(s) URL such as https://api.coingecko.com/api/v3/, not 'proxy.local/api/v3/'")]
    [InlineData("CoinGecko:BaseUrl", "localhost:8080", "MarketData:CoinGecko:BaseUrl must be an absolute http(s) URL such as https://api.coingecko.com/api/v3/, not 'localhost:8080'")]
    [InlineData("CoinGecko:BaseUrl", "ftp://user:token@proxy/", "MarketData:CoinGecko:BaseUrl must be an absolute http(s) URL such as https://api.coingecko.com/api/v3/, not 'ftp://***@proxy/'")]
    [InlineData("CoinGeckoRequestsPerMinute", "0", "MarketData:CoinGeckoRequestsPerMinute must be 1 or more, not 0")]
    [InlineData("BinanceBaseUrl", "binance-proxy", "MarketData:BinanceBaseUrl must be an absolute http(s) URL such as https://data-api.binance.vision/, not 'binance-proxy'")]
    [InlineData("BinanceBaseUrl", "my-proxy:8080/api/v3/", "MarketData:BinanceBaseUrl must be an absolute http(s) URL such as https://data-api.binance.vision/, not 'my-proxy:8080/api/v3/'")]
    [InlineData("BinanceBaseUrl", "user:token@proxy:8080/", "MarketData:BinanceBaseUrl must be an absolute http(s) URL such as https://data-api.binance.vision/, not '***@proxy:8080/'")]
    [InlineData("Http:TotalTimeout", "00:00:00", "MarketData:Http:TotalTimeout must be from 00:00:00.01 to 1.00:00:00 (hh:mm:ss), not 00:00:00")]
    [InlineData("Http:AttemptTimeout", "2.00:00:00", "MarketData:Http:AttemptTimeout must be from 00:00:00.01 to 1.00:00:00 (hh:mm:ss), not 2.00:00:00")]
    [InlineData("Http:MaxRetries", "-1", "MarketData:Http:MaxRetries must be 0 (no retries) or more, not -1")]
    [InlineData("Http:RetryBaseDelay", "-00:00:01", "MarketData:Http:RetryBaseDelay must be from 00:00:00 to 1.00:00:00 (hh:mm:ss), not -00:00:01")]
    [InlineData("Http:BreakerFailureRatio", "1.5", "MarketData:Http:BreakerFailureRatio must be from 0 to 1 (the share of failed requests that opens the circuit), not 1.5")]
    [InlineData("Http:BreakerMinimumThroughput", "1", "MarketData:Http:BreakerMinimumThroughput must be 2 or more (requests before the circuit may open), not 1")]
    [InlineData("Http:BreakerSamplingDuration", "00:00:00.1", "MarketData:Http:BreakerSamplingDuration must be from 00:00:00.5 to 1.00:00:00 (hh:mm:ss), not 00:00:00.1")]
    [InlineData("Http:BreakDuration", "00:00:00", "MarketData:Http:BreakDuration must be from 00:00:00.5 to 1.00:00:00 (hh:mm:ss), not 00:00:00")]
    public void A_source_setting_out_of_range_is_a_configuration_error_naming_it(string key, string value, string message) =>
        RefusedWith("MarketData:" + key, value, message);

    [Theory]
    [InlineData("Validation:FallbackShare", "abc", "MarketData:Validation:FallbackShare must be a number, e.g. 0.25, not 'abc'")]
    [InlineData("Validation:RefreshTimeout", "2m", "MarketData:Validation:RefreshTimeout must be a duration as hh:mm:ss, e.g. 00:02:00, not '2m'")]
    [InlineData("Validation:MaxPriceJump", "ten", "MarketData:Validation:MaxPriceJump must be a number, e.g. 10, not 'ten'")]
    [InlineData("Http:TotalTimeout", "30s", "MarketData:Http:TotalTimeout must be a duration as hh:mm:ss, e.g. 00:00:30, not '30s'")]
    [InlineData("Http:MaxRetries", "three", "MarketData:Http:MaxRetries must be a whole number, e.g. 3, not 'three'")]
    [InlineData("CoinGecko:PageSize", "100.5", "MarketData:CoinGecko:PageSize must be a whole number, e.g. 250, not '100.5'")]
    [InlineData("CoinGecko:Plan", "Free", "MarketData:CoinGecko:Plan must be one of Demo, Pro, not 'Free'")]
    [InlineData("CoinGecko:Plan", "2", "MarketData:CoinGecko:Plan must be one of Demo, Pro, not '2'")]
    [InlineData("BinanceBaseUrl", "http://", "MarketData:BinanceBaseUrl must be an absolute http(s) URL, not 'http://'")]
    [InlineData("CoinGecko:BaseUrl", "https://user:token@", "MarketData:CoinGecko:BaseUrl must be an absolute http(s) URL, not 'https://***@'")]
    [InlineData("CoinGeckoRequestsPerMinute", "", "MarketData:CoinGeckoRequestsPerMinute must be a whole number, e.g. 30, not ''")]
    public void A_value_that_does_not_parse_is_a_configuration_error_naming_the_key_and_the_format(string key, string value, string message) =>
        RefusedWith("MarketData:" + key, value, message);

    private const string HttpKeys = "AttemptTimeout, TotalTimeout, MaxRetries, RetryBaseDelay, BreakerFailureRatio, BreakerMinimumThroughput, BreakerSamplingDuration, BreakDuration";

    [Theory]
    [InlineData("Http:TotalTimout", "00:01:00", "MarketData:Http:TotalTimout is not a setting: MarketData:Http takes " + HttpKeys)]
    [InlineData("Http:Retries:Max", "5", "MarketData:Http:Retries is not a setting: MarketData:Http takes " + HttpKeys)]
    [InlineData("Validation:RefreshTimout", "00:05:00", "MarketData:Validation:RefreshTimout is not a setting: MarketData:Validation takes MaxPriceJump, AcceptJumpAfter, RefreshTimeout, FallbackShare")]
    [InlineData("CoinGecko:ApiKey", "CG-pasted-key", "MarketData:CoinGecko:ApiKey is not a setting: MarketData:CoinGecko takes BaseUrl, Plan, PageSize, ApiKeySecret")]
    [InlineData("FilePth", "/prices.json", "MarketData:FilePth is not a setting: MarketData takes CoinGecko, CoinGeckoRequestsPerMinute, BinanceBaseUrl, FilePath, Http, Validation")]
    [InlineData("Htpp:MaxRetries", "5", "MarketData:Htpp is not a setting: MarketData takes CoinGecko, CoinGeckoRequestsPerMinute, BinanceBaseUrl, FilePath, Http, Validation")]
    public void An_unknown_key_is_a_configuration_error_naming_it_and_the_keys_its_section_takes_not_its_value(string key, string value, string message)
    {
        var error = RefusedWith("MarketData:" + key, value, message);

        Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_unknown_keys_are_named_in_one_line()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MarketData:Http:TotalTimout"] = "00:01:00",
            ["MarketData:Http:MaxRetry"] = "5",
        }).Build();

        var error = Assert.Throws<ConfigurationException>(() => MarketDataConfiguration.Bind(configuration));

        Assert.Equal("MarketData:Http:MaxRetry, MarketData:Http:TotalTimout are not settings: MarketData:Http takes " + HttpKeys, error.Message);
    }

    [Fact]
    public void Every_key_is_accepted_in_any_case_as_configuration_keys_are()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["marketdata:coingecko:baseurl"] = "https://proxy.example/api/v3/",
            ["MARKETDATA:COINGECKO:PLAN"] = "Pro",
            ["MarketData:CoinGecko:pagesize"] = "100",
            ["MarketData:coinGecko:apiKeySecret"] = "cryptoindex-system/coingecko/apiKey",
            ["MarketData:coinGeckoRequestsPerMinute"] = "60",
            ["MarketData:binanceBaseUrl"] = "http://binance-proxy:8080/",
            ["MarketData:filepath"] = "/etc/cryptoindex/prices/prices.json",
            ["marketData:http:attemptTimeout"] = "00:00:05",
            ["MarketData:Http:totaltimeout"] = "00:01:00",
            ["MarketData:Http:MAXRETRIES"] = "5",
            ["MarketData:Http:retryBaseDelay"] = "00:00:02",
            ["MarketData:Http:breakerFailureRatio"] = "0.6",
            ["MarketData:Http:breakerMinimumThroughput"] = "6",
            ["MarketData:Http:breakerSamplingDuration"] = "00:03:00",
            ["MarketData:Http:breakDuration"] = "00:02:00",
            ["MarketData:validation:maxPriceJump"] = "20",
            ["MarketData:Validation:acceptjumpafter"] = "4",
            ["MarketData:Validation:refreshtimeout"] = "00:05:00",
            ["MarketData:Validation:fallbackshare"] = "0.4",
        }).Build();

        var (settings, secret) = MarketDataConfiguration.Bind(configuration);

        Assert.Equal((CoinGeckoPlan.Pro, 100, 60), (settings.CoinGecko.Plan, settings.CoinGecko.PageSize, settings.CoinGeckoRequestsPerMinute));
        Assert.Equal("/etc/cryptoindex/prices/prices.json", settings.FilePath);
        Assert.Equal((TimeSpan.FromMinutes(1), 5, TimeSpan.FromMinutes(2)), (settings.Http.TotalTimeout, settings.Http.MaxRetries, settings.Http.BreakDuration));
        Assert.Equal((4, TimeSpan.FromMinutes(5)), (settings.Validation.AcceptJumpAfter, settings.Validation.RefreshTimeout));
        Assert.NotNull(secret);
    }

    [Fact]
    public void Settings_at_the_edges_of_their_ranges_are_accepted()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MarketData:CoinGecko:PageSize"] = "1",
            ["MarketData:CoinGeckoRequestsPerMinute"] = "1",
            ["MarketData:Http:AttemptTimeout"] = "00:00:00.01",
            ["MarketData:Http:TotalTimeout"] = "1.00:00:00",
            ["MarketData:Http:MaxRetries"] = "0",
            ["MarketData:Http:RetryBaseDelay"] = "00:00:00",
            ["MarketData:Http:BreakerFailureRatio"] = "1",
            ["MarketData:Http:BreakerMinimumThroughput"] = "2",
            ["MarketData:Http:BreakerSamplingDuration"] = "00:00:00.5",
            ["MarketData:Http:BreakDuration"] = "1.00:00:00",
        }).Build();

        var (settings, _) = MarketDataConfiguration.Bind(configuration);

        Assert.Equal((1, 1), (settings.CoinGecko.PageSize, settings.CoinGeckoRequestsPerMinute));
        Assert.Equal((TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1), 0), (settings.Http.AttemptTimeout, settings.Http.TotalTimeout, settings.Http.MaxRetries));
    }

    [Fact]
    public async Task The_api_key_is_read_from_the_secret_and_errors_never_show_a_value()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        await cluster.ApplyYamlAsync("""
            apiVersion: v1
            kind: Secret
            metadata: {name: coingecko, namespace: default}
            stringData: {apiKey: CG-from-secret}
            """);
        var client = cluster.CreateClient();

        var key = await SecretReader.ReadAsync(client, new SecretKeyReference("default", "coingecko", "apiKey"), CancellationToken.None);
        var missingKey = await Assert.ThrowsAsync<InvalidOperationException>(() => SecretReader.ReadAsync(client, new SecretKeyReference("default", "coingecko", "token"), CancellationToken.None));
        var missingSecret = await Assert.ThrowsAsync<InvalidOperationException>(() => SecretReader.ReadAsync(client, new SecretKeyReference("default", "nope", "apiKey"), CancellationToken.None));

        Assert.Equal("CG-from-secret", key);
        Assert.Equal("Secret default/coingecko has no key 'token'", missingKey.Message);
        Assert.Equal("Secret default/nope does not exist", missingSecret.Message);
        Assert.DoesNotContain("CG-from-secret", missingKey.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_the_binder_refuses_as_a_whole_are_a_configuration_error_naming_the_section_and_its_keys_not_their_values()
    {
        // No one value fails to convert: the type cannot be built from these keys at all.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Probe:Password"] = "hunter2" }).Build();

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationValues.Bind(configuration.GetSection("Probe"), new Unbindable(1)));

        Assert.Equal("Probe cannot be read as Unbindable: check its keys (Password)", error.Message);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Binding <paramref name="key"/> = <paramref name="value"/> stops with exactly <paramref name="message"/>.</summary>
    private static ConfigurationException RefusedWith(string key, string value, string message)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        var error = Assert.Throws<ConfigurationException>(() => MarketDataConfiguration.Bind(configuration));
        Assert.Equal(message, error.Message);
        return error;
    }

    /// <summary>Only a constructor the binder cannot call: binding any keys onto it fails, but no key's value is at fault.</summary>
    private sealed class Unbindable(int size)
    {
        public int Size => size;
    }
}
