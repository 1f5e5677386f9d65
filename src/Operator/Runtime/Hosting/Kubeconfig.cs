namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>
/// The kubeconfig file the operator uses: <c>--kubeconfig</c>, else the first file of <c>KUBECONFIG</c> (a list, like
/// PATH) that exists (kubectl would merge them; the first is where its current context usually is). A flag or a
/// <c>KUBECONFIG</c> that names no file that exists is an error, never passed over for the in-cluster service account
/// or <c>~/.kube/config</c> (kubectl and controller-runtime may then use in-cluster credentials): the operator could
/// run against another cluster than the one meant.
/// </summary>
internal static class Kubeconfig
{
    /// <summary>The file to load, or null when neither is set (then in-cluster, else <c>~/.kube/config</c>).</summary>
    /// <exception cref="KubeconfigNotFoundException">The flag's file, or every file of <c>KUBECONFIG</c>, is missing.</exception>
    internal static string? Resolve(string? flag, string? environment, Func<string, bool> exists)
    {
        if (!string.IsNullOrEmpty(flag))
        {
            return exists(flag) ? flag : throw new KubeconfigNotFoundException($"--kubeconfig: {flag} does not exist");
        }

        var listed = (environment ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return listed.Length == 0
            ? null
            : listed.FirstOrDefault(exists) ?? throw new KubeconfigNotFoundException(
                $"KUBECONFIG names no file that exists ({string.Join(", ", listed)}): correct it, or unset it to use the in-cluster service account or ~/.kube/config");
    }
}
