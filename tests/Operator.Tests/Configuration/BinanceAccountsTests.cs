using CryptoIndex.Exchanges;
using CryptoIndex.LocalKube;
using CryptoIndex.Operator.ExchangeAccounts;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace CryptoIndex.Operator.Tests.Configuration;

/// <summary>Reading a fund's Binance keys: every way the Secret can be wrong is named, and no value is ever shown.</summary>
public sealed class BinanceAccountsTests : IAsyncLifetime
{
    private LocalKubeCluster cluster = null!;
    private BinanceAccounts accounts = null!;

    public async Task InitializeAsync()
    {
        cluster = await LocalKubeCluster.StartAsync();
        var services = new ServiceCollection().AddLogging().AddCryptoIndexExchanges().BuildServiceProvider();
        accounts = new BinanceAccounts(cluster.CreateClient(), services.GetRequiredService<BinanceExchangeFactory>(), new BinanceEndpoints());
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Theory]
    [InlineData(null, "spec.exchange.credentialsSecretRef: the binance exchange needs a Secret with apiKey and secretKey")]
    [InlineData("absent", "spec.exchange.credentialsSecretRef: Secret default/absent does not exist")]
    [InlineData("half", "spec.exchange.credentialsSecretRef: Secret default/half has no secretKey key")]
    [InlineData("blank", "spec.exchange.credentialsSecretRef: Secret default/blank has no apiKey or secretKey key")]
    [InlineData("other-blank", "spec.exchange.credentialsSecretRef: Secret default/other-blank has no apiKey or secretKey key")]
    [InlineData("two-lines", "spec.exchange.credentialsSecretRef: Secret default/two-lines has an apiKey that an HTTP header cannot carry (only printable ASCII without spaces; look for a line break or a non-ASCII character)")]
    [InlineData("accented", "spec.exchange.credentialsSecretRef: Secret default/accented has an apiKey that an HTTP header cannot carry (only printable ASCII without spaces; look for a line break or a non-ASCII character)")]
    public async Task A_missing_or_incomplete_secret_is_named_without_any_value(string? secret, string message)
    {
        await CreateAsync("half", ("apiKey", "key-half-1234567890"));
        await CreateAsync("blank", ("apiKey", "  "), ("secretKey", "\n"));
        await CreateAsync("other-blank", ("apiKey", "\u00a0"), ("secretKey", "\v\f")); // whitespace all the same: trimmed to nothing
        await CreateAsync("two-lines", ("apiKey", "key-half-1234567890\nkey-half-1234567890"), ("secretKey", "s"));
        await CreateAsync("accented", ("apiKey", "kéy-half-1234567890"), ("secretKey", "s"));

        var error = await Assert.ThrowsAsync<CredentialsUnavailableException>(() => accounts.ForAsync("default", secret, testnet: true, "USDT", CancellationToken.None));

        Assert.Equal(message, error.Message);
        Assert.DoesNotContain("key-half-1234567890", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_the_operator_may_not_read_names_the_chart_value_that_allows_it()
    {
        await CreateAsync("forbidden", ("apiKey", "k"), ("secretKey", "s"));
        cluster.Faults.FailNext(1, 403, verb: "get", resource: "secrets", name: "forbidden");

        var error = await Assert.ThrowsAsync<CredentialsUnavailableException>(() => accounts.ForAsync("default", "forbidden", testnet: true, "USDT", CancellationToken.None));

        // rbac.exchangeCredentials may already be on with the grant limited to other namespaces: the fix is then
        // to list this one, so the message names the namespace and that value too.
        Assert.Equal(
            "spec.exchange.credentialsSecretRef: the operator may not read Secret default/forbidden (RBAC: it needs get on Secrets in namespace default; with the Helm chart, set rbac.exchangeCredentials=true and, if rbac.exchangeCredentialsNamespaces lists namespaces, add default to it; with kustomize, apply config/binance, or bind config/binance-namespaced's role in default)",
            error.Message);
    }

    [Fact]
    public async Task The_same_keys_give_the_same_account_and_rotated_keys_a_new_one()
    {
        await CreateAsync("keys", ("apiKey", "key-1"), ("secretKey", "secret-1"));
        var first = await accounts.ForAsync("default", "keys", testnet: true, "USDT", CancellationToken.None);
        Assert.Same(first, await accounts.ForAsync("default", "keys", testnet: true, "USDT", CancellationToken.None));

        await cluster.CreateClient().CoreV1.DeleteNamespacedSecretAsync("keys", "default");
        await CreateAsync("keys", ("apiKey", "key-2"), ("secretKey", "secret-2"));
        Assert.NotSame(first, await accounts.ForAsync("default", "keys", testnet: true, "USDT", CancellationToken.None));
    }

    private Task<V1Secret> CreateAsync(string name, params (string Key, string Value)[] data) =>
        cluster.CreateClient().CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = name }, Data = data.ToDictionary(d => d.Key, d => System.Text.Encoding.UTF8.GetBytes(d.Value)) }, "default");
}
