using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CryptoIndex.Packaging.Tests.Support;
using CryptoIndex.LocalKube;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Image;

/// <summary>
/// The image's contents without a container engine: the Dockerfile's own restore and publish commands, run once
/// from the repository root (WORKDIR /src holds the same layout, as COPY keeps paths) with /app redirected to a
/// temporary folder. <see cref="Start"/> runs the output with the Dockerfile's ENTRYPOINT and ENV plus the arguments
/// and environment of the chart's Deployment, against LocalKube (a kubeconfig instead of the in-cluster account).
/// </summary>
public sealed class PublishedOperator : IAsyncLifetime
{
    public string App { get; } = Directory.CreateTempSubdirectory("packaging-publish-").FullName;

    public DockerfileModel Dockerfile { get; } = DockerfileModel.Load();

    public LocalKubeCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        foreach (var run in Dockerfile.All("RUN"))
        {
            var words = run.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w == "/app" ? App : w).ToArray();
            var result = await Tool.RunAsync(words[0], words[1..]);
            Assert.True(result.Exit == 0, result.Describe(run));
        }

        Cluster = await LocalKubeCluster.StartAsync();
        await Cluster.ApplyYamlAsync(await File.ReadAllTextAsync(RepositoryPaths.Combine("config", "crds", "cryptoindex.io_indexfunds.yaml")));
    }

    /// <summary>Starts the published operator as the chart's container would run; returns the process and its port.</summary>
    public async Task<(Process Process, int Port)> Start(params string[] extraValues)
    {
        var container = (await Support.Chart.TemplateAsync(string.Empty, extraValues)).One("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var port = FreePort();
        var args = container["args"]!.AsArray().Select(a => (string)a!).Select(a => a.StartsWith("--port=", StringComparison.Ordinal) ? $"--port={port}" : a);
        var entrypoint = Dockerfile.Exec("ENTRYPOINT").Select(e => e.Replace("/app/", App + "/", StringComparison.Ordinal)).ToArray();
        var psi = new ProcessStartInfo(entrypoint[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = App };
        var kubeconfig = Cluster.WriteKubeconfig(Path.Combine(App, $"kubeconfig-{port}"));
        foreach (var arg in entrypoint[1..].Concat(args).Append($"--kubeconfig={kubeconfig}"))
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in Dockerfile.FinalEnv)
        {
            psi.Environment[name] = value;
        }

        foreach (var env in container["env"]!.AsArray())
        {
            psi.Environment[(string)env!["name"]!] = (string?)env["value"] ?? "default"; // POD_NAMESPACE from the downward API
        }

        psi.Environment.Remove("KUBECONFIG");
        return (Process.Start(psi)!, port);
    }

    public static async Task<HttpStatusCode> StatusAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0; // not listening yet
        }
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        Directory.Delete(App, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
