using System.Text.RegularExpressions;
using CryptoIndex.LocalKube;

namespace CryptoIndex.Operator.Sandbox;

/// <summary>
/// The sandbox's kubeconfig: written at start, deleted at stop, so it never takes a file it did not write. Otherwise
/// <c>--kubeconfig ~/.kube/config</c> overwrote a real cluster's credentials and deleted them at the stop, and a
/// second sandbox on the default path took over the first one's kubeconfig, then deleted it under it.
/// </summary>
internal static partial class SandboxKubeconfig
{
    /// <summary>Long enough for a sandbox on this machine to answer, short enough not to hold up a start.</summary>
    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Why <paramref name="path"/> cannot be the sandbox's kubeconfig, naming it, or null: no such file, or one a
    /// sandbox wrote and left behind when it was killed (its server no longer answers), which is replaced.
    /// </summary>
    public static async Task<string?> CheckAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        var server = ServerLine().Match(text);
        if (!server.Success || !Uri.TryCreate(server.Groups[1].Value, UriKind.Absolute, out var url) || text != LocalKubeCluster.KubeconfigFor(url))
        {
            return $"--kubeconfig: {path} already exists and is not a sandbox's kubeconfig; the sandbox writes its own and deletes it when it stops, so name a file that does not exist";
        }

        return await AnswersAsync(url, cancellationToken).ConfigureAwait(false)
            ? $"--kubeconfig: {path} is the kubeconfig of a sandbox still running ({url.GetLeftPart(UriPartial.Authority)}); stop that one, or give this one its own --kubeconfig FILE"
            : null;
    }

    /// <summary>Deletes <paramref name="path"/> if it still holds what this sandbox wrote (its server is going away).</summary>
    public static void Delete(string path, string written)
    {
        if (File.Exists(path) && File.ReadAllText(path) == written)
        {
            File.Delete(path);
        }
    }

    private static async Task<bool> AnswersAsync(Uri server, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = Probe };
        try
        {
            using var response = await http.GetAsync(new Uri(server, "/version"), cancellationToken).ConfigureAwait(false);
            return true; // any answer: a server is there
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^\s*server: (\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ServerLine();
}
