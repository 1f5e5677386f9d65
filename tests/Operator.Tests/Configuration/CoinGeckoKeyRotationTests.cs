using System.Text;
using CryptoIndex.Exchanges.Tests.Support;
using CryptoIndex.LocalKube;
using CryptoIndex.MarketData;
using CryptoIndex.MarketData.Tests.Fakes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Configuration;

/// <summary>
/// The CoinGecko API key comes from a Secret (MarketData:CoinGecko:ApiKeySecret). A key rotated in the Secret is sent
/// without restarting the operator; a Secret that can no longer be read leaves the last key in use, and says so
/// without the key.
/// </summary>
public sealed class CoinGeckoKeyRotationTests
{
    private static readonly AssetRef Btc = new("BTC", "bitcoin", "BTCUSDT");

    [Fact]
    public async Task A_rotated_key_is_sent_within_a_minute_without_a_restart_and_a_deleted_secret_keeps_the_last_one()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        await using var cluster = await LocalKubeCluster.StartAsync();
        await using var market = await FakeMarketServer.StartAsync(clock);
        market.CoinGecko["bitcoin"] = (100m, 1_000m);
        var client = cluster.CreateClient();
        await CreateSecretAsync(client, "CG-first-0a1b2c3d");
        var logs = new RecordingLoggerProvider();
        await using var app = OperatorApp.Build(
            new OperatorAppOptions
            {
                Port = 0,
                ClientConfiguration = new KubernetesClientConfiguration { Host = cluster.Url.GetLeftPart(UriPartial.Authority) },
                LeaderElection = false,
                Registry = Prometheus.Metrics.NewCustomRegistry(),
                Time = clock,
                ConfigureServices = services => services.AddSingleton<ILoggerProvider>(logs),
            },
            ["--MarketData:CoinGecko:BaseUrl=" + market.CoinGeckoUrl, "--MarketData:CoinGecko:ApiKeySecret=default/coingecko/apiKey"]);
        var prices = app.Services.GetRequiredService<MarketDataHub>().For(PriceProviders.CoinGecko, out _)!;

        async Task<string> KeySentAsync()
        {
            clock.Advance(TimeSpan.FromSeconds(20));
            await prices.GetSnapshotAsync([Btc], TimeSpan.FromSeconds(10), CancellationToken.None);
            return market.Requests.Last(r => r.Provider == "coingecko").Headers["x-cg-demo-api-key"];
        }

        Assert.Equal("CG-first-0a1b2c3d", await KeySentAsync());
        await client.CoreV1.DeleteNamespacedSecretAsync("coingecko", "default");
        await CreateSecretAsync(client, "CG-second-4e5f6a7b");
        Assert.Equal("CG-first-0a1b2c3d", await KeySentAsync()); // read less than a minute ago
        Assert.Equal("CG-second-4e5f6a7b", await KeySentAsync()); // a minute after the last read: the rotated key, same process

        await client.CoreV1.DeleteNamespacedSecretAsync("coingecko", "default");
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("CG-second-4e5f6a7b", await KeySentAsync());
        }

        Assert.Contains(logs.Lines, l => l.Contains("Secret default/coingecko (key apiKey) could not be read again", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("CG-first", StringComparison.Ordinal) || l.Contains("CG-second", StringComparison.Ordinal));
    }

    private static Task<V1Secret> CreateSecretAsync(IKubernetes client, string key) =>
        client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "coingecko" }, Data = new Dictionary<string, byte[]> { ["apiKey"] = Encoding.UTF8.GetBytes(key) } }, "default");
}
