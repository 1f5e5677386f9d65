using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;

namespace CryptoIndex.Operator.Configuration;

/// <summary>
/// Reads one value of a Kubernetes Secret. Errors name the Secret and the key, never the value; the value is returned
/// to the caller only (it is never logged, put in status or in an event).
/// </summary>
public static class SecretReader
{
    public static async Task<string> ReadAsync(IKubernetes client, SecretKeyReference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(reference);
        k8s.Models.V1Secret secret;
        try
        {
            secret = await client.CoreV1.ReadNamespacedSecretAsync(reference.Name, reference.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new InvalidOperationException($"Secret {reference.Namespace}/{reference.Name} does not exist", e);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            // The API server's own message names neither the Secret nor the missing right; a crash loop's first line must.
            throw new InvalidOperationException(
                $"the operator may not read Secret {reference.Namespace}/{reference.Name} (RBAC: it needs get on it, in namespace {reference.Namespace})", e);
        }

        if (secret.Data?.TryGetValue(reference.Key, out var bytes) == true && bytes.Length > 0)
        {
            return Encoding.UTF8.GetString(bytes).Trim();
        }

        throw new InvalidOperationException($"Secret {reference.Namespace}/{reference.Name} has no key '{reference.Key}'");
    }
}
