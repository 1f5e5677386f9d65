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

    [Fact]
    public void A_malformed_secret_reference_is_a_clear_configuration_error()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["MarketData:CoinGecko:ApiKeySecret"] = "coingecko" }).Build();

        var error = Assert.Throws<ConfigurationException>(() => MarketDataConfiguration.Bind(configuration));
        Assert.Equal("MarketData:CoinGecko:ApiKeySecret must be namespace/name/key, not 'coingecko'", error.Message);
    }

    [Theory]
    [InlineData("FallbackShare", "1", "MarketData:Validation:FallbackShare must be from 0 to below 1 (a share of RefreshTimeout), not 1")]
    [InlineData("FallbackShare", "-0.25", "MarketData:Validation:FallbackShare must be from 0 to below 1 (a share of RefreshTimeout), not -0.25")]
    [InlineData("MaxPriceJump", "0.5", "MarketData:Validation:MaxPriceJump must be 0 (no check) or above 1 (a factor: 10 rejects a price over 10× or under 1/10 of the last), not 0.5")]
    [InlineData("MaxPriceJump", "-10", "MarketData:Validation:MaxPriceJump must be 0 (no check) or above 1 (a factor: 10 rejects a price over 10× or under 1/10 of the last), not -10")]
    [InlineData("AcceptJumpAfter", "-1", "MarketData:Validation:AcceptJumpAfter must be 0 (never) or a number of refreshes, not -1")]
    [InlineData("RefreshTimeout", "-00:00:05", "MarketData:Validation:RefreshTimeout must be above 0 and at most 1.00:00:00, not -00:00:05")]
    [InlineData("RefreshTimeout", "60.00:00:00", "MarketData:Validation:RefreshTimeout must be above 0 and at most 1.00:00:00, not 60.00:00:00")]
    public void A_refresh_setting_out_of_range_is_a_configuration_error_naming_it(string key, string value, string message)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["MarketData:Validation:" + key] = value }).Build();

        var error = Assert.Throws<ConfigurationException>(() => MarketDataConfiguration.Bind(configuration));
        Assert.Equal(message, error.Message);
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
}
