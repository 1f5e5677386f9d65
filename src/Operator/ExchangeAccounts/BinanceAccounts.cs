using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using CryptoIndex.Exchanges;
using CryptoIndex.Exchanges.Binance;
using k8s;
using k8s.Autorest;

namespace CryptoIndex.Operator.ExchangeAccounts;

/// <summary>
/// The Binance accounts funds trade on: one <see cref="BinanceExchange"/> per credentials Secret (it holds the symbol-rule
/// cache and the measured server-time offset), rebuilt when the Secret's keys change. The Secret is read each time a
/// rebalance runs, so a rotated key is used at once; between rebalances a fund reads nothing.
/// </summary>
public sealed class BinanceAccounts(IKubernetes client, BinanceExchangeFactory factory, BinanceEndpoints endpoints)
{
    private readonly ConcurrentDictionary<string, (string Fingerprint, BinanceExchange Exchange)> accounts = new(StringComparer.Ordinal);

    /// <summary>
    /// The account for a fund in <paramref name="ns"/> whose credentials are the Secret <paramref name="secretName"/>.
    /// Throws <see cref="CredentialsUnavailableException"/> naming the Secret and the missing key, never a value.
    /// </summary>
    public async Task<BinanceExchange> ForAsync(string ns, string? secretName, bool testnet, string quoteAsset, CancellationToken cancellationToken)
    {
        if (endpoints.Disabled is { } why)
        {
            throw new ExchangeDisabledException("spec.exchange.kind: " + why); // before the Secret is even read
        }

        if (string.IsNullOrEmpty(secretName))
        {
            throw new CredentialsUnavailableException("spec.exchange.credentialsSecretRef: the binance exchange needs a Secret with apiKey and secretKey");
        }

        var data = await ReadAsync(ns, secretName, cancellationToken).ConfigureAwait(false);
        var fingerprint = Fingerprint(data);
        var key = string.Join('/', ns, secretName, testnet ? "testnet" : "live", quoteAsset);
        if (accounts.TryGetValue(key, out var known) && known.Fingerprint == fingerprint)
        {
            return known.Exchange;
        }

        var options = new BinanceOptions { BaseAddress = endpoints.For(testnet), QuoteAsset = quoteAsset };
        var exchange = factory.Create(BinanceCredentials.FromSecretData(secretName, data), options);
        accounts[key] = (fingerprint, exchange);
        return exchange;
    }

    private readonly ConcurrentDictionary<string, BinanceExchange> publicData = new(StringComparer.Ordinal);

    /// <summary>
    /// A client for Binance's public data on one venue (production or the testnet, one quote asset), shared by every
    /// fund there: symbol rules for dry runs, which need no credentials. No Secret is read, and the client cannot sign
    /// a request or place an order. Its symbol-rule cache (an hour, <see cref="BinanceOptions.ExchangeInfoTtl"/>) lives
    /// as long as the operator.
    /// </summary>
    public BinanceExchange PublicData(bool testnet, string quoteAsset)
    {
        if (endpoints.Disabled is { } why)
        {
            throw new ExchangeDisabledException("spec.exchange.kind: " + why);
        }

        var options = new BinanceOptions { BaseAddress = endpoints.For(testnet), QuoteAsset = quoteAsset };
        return publicData.GetOrAdd(string.Join('/', options.BaseAddress, quoteAsset), _ => factory.CreatePublic(options));
    }

    private async Task<IReadOnlyDictionary<string, byte[]>> ReadAsync(string ns, string secretName, CancellationToken cancellationToken)
    {
        k8s.Models.V1Secret secret;
        try
        {
            secret = await client.CoreV1.ReadNamespacedSecretAsync(secretName, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CredentialsUnavailableException($"spec.exchange.credentialsSecretRef: Secret {ns}/{secretName} does not exist");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            // The grant can be on (rbac.exchangeCredentials) yet limited to other namespaces: name both settings.
            throw new CredentialsUnavailableException(
                $"spec.exchange.credentialsSecretRef: the operator may not read Secret {ns}/{secretName} (RBAC: it needs get on Secrets in namespace {ns}; with the Helm chart, set rbac.exchangeCredentials=true and, if rbac.exchangeCredentialsNamespaces lists namespaces, add {ns} to it; with kustomize, apply config/binance, or bind config/binance-namespaced's role in {ns})");
        }

        var data = secret.Data ?? new Dictionary<string, byte[]>();
        var missing = new[] { BinanceCredentials.ApiKeyField, BinanceCredentials.SecretKeyField }
            .Where(k => !data.TryGetValue(k, out var v) || System.Text.Encoding.UTF8.GetString(v).Trim().Length == 0) // as BinanceCredentials trims
            .ToList();
        if (missing.Count > 0)
        {
            throw new CredentialsUnavailableException($"spec.exchange.credentialsSecretRef: Secret {ns}/{secretName} has no {string.Join(" or ", missing)} key");
        }

        // The API key travels in an HTTP header: a line break or a non-ASCII character in it would fail every request
        // (as a malformed header, or as a connection failure that reads like a Binance outage), never as bad credentials.
        return System.Text.Encoding.UTF8.GetString(data[BinanceCredentials.ApiKeyField]).Trim().All(c => c is > ' ' and < '\x7f')
            ? data.AsReadOnly()
            : throw new CredentialsUnavailableException(
                $"spec.exchange.credentialsSecretRef: Secret {ns}/{secretName} has an {BinanceCredentials.ApiKeyField} that an HTTP header cannot carry (only printable ASCII without spaces; look for a line break or a non-ASCII character)");
    }

    /// <summary>A digest of the keys, to notice a rotation without keeping the keys themselves as the cache key.</summary>
    private static string Fingerprint(IReadOnlyDictionary<string, byte[]> data) =>
        Convert.ToHexString(SHA256.HashData([.. data[BinanceCredentials.ApiKeyField], 0, .. data[BinanceCredentials.SecretKeyField]]));
}
