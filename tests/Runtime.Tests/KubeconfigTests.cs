using CryptoIndex.Operator.Runtime.Hosting;

namespace CryptoIndex.Operator.Runtime.Tests;

/// <summary>
/// Which kubeconfig <c>run</c> loads: <c>--kubeconfig</c>, else the first file of <c>KUBECONFIG</c> that exists, else
/// none (in-cluster, else ~/.kube/config); a named file that is missing is an error, never a fall back to another cluster.
/// </summary>
public sealed class KubeconfigTests
{
    private static readonly string Separator = Path.PathSeparator.ToString();
    private static readonly HashSet<string> Existing = new(StringComparer.Ordinal) { "/home/me/.kube/a", "/home/me/.kube/b" };

    private static string? Resolve(string? flag, string? environment) => Kubeconfig.Resolve(flag, environment, Existing.Contains);

    [Fact]
    public void The_flag_wins_over_KUBECONFIG()
    {
        Assert.Equal("/home/me/.kube/b", Resolve("/home/me/.kube/b", "/home/me/.kube/a"));
    }

    [Fact]
    public void KUBECONFIG_is_a_list_whose_first_existing_file_counts()
    {
        Assert.Equal("/home/me/.kube/b", Resolve(null, string.Join(Separator, "/missing/one", " /home/me/.kube/b ", "/home/me/.kube/a")));
        Assert.Equal("/home/me/.kube/a", Resolve(string.Empty, "/home/me/.kube/a"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void Without_the_flag_or_KUBECONFIG_there_is_no_file(string? environment)
    {
        Assert.Null(Resolve(null, environment));
        Assert.Null(Resolve(null, environment is null ? null : environment + Separator + environment));
    }

    [Fact]
    public void A_KUBECONFIG_naming_no_file_that_exists_is_an_error_naming_it_and_every_path()
    {
        var e = Assert.Throws<KubeconfigNotFoundException>(() => Resolve(null, "/missing/one" + Separator + Separator + "/missing/two"));

        Assert.Equal(
            "KUBECONFIG names no file that exists (/missing/one, /missing/two): correct it, or unset it to use the in-cluster service account or ~/.kube/config",
            e.Message);
    }

    [Fact]
    public void A_flag_naming_a_missing_file_is_an_error_even_when_KUBECONFIG_has_one()
    {
        var e = Assert.Throws<KubeconfigNotFoundException>(() => Resolve("/missing/flag", "/home/me/.kube/a"));

        Assert.Equal("--kubeconfig: /missing/flag does not exist", e.Message);
    }
}
