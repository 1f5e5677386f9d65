using System.Text;
using CryptoIndex.LocalKube;
using CryptoIndex.Operator.Configuration;
using k8s;
using k8s.Models;

namespace CryptoIndex.Operator.Tests.Configuration;

/// <summary>
/// The CoinGecko key's Secret, read at start: a Secret the operator may not read stops it with a first line that names
/// the Secret (the runbook sends people to the first log lines of a crash loop), not only the API server's status code.
/// </summary>
public sealed class SecretReaderTests
{
    [Fact]
    public async Task A_secret_the_operator_may_not_read_is_named_with_the_permission_it_needs()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        await client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "coingecko" }, Data = new Dictionary<string, byte[]> { ["apiKey"] = Encoding.UTF8.GetBytes("CG-hidden-0a1b2c3d") } },
            "default");
        cluster.Faults.FailNext(1, 403, verb: "get", resource: "secrets", name: "coingecko");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => SecretReader.ReadAsync(client, new SecretKeyReference("default", "coingecko", "apiKey"), CancellationToken.None));

        Assert.Equal("the operator may not read Secret default/coingecko (RBAC: it needs get on it, in namespace default)", error.Message);
        Assert.DoesNotContain("CG-hidden-0a1b2c3d", error.ToString(), StringComparison.Ordinal);
    }
}
