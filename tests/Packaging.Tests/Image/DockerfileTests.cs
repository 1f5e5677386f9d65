using System.Xml.Linq;
using CryptoIndex.Packaging.Tests.Support;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Image;

/// <summary>The Dockerfile's conventions: SDK build, chiseled ASP.NET runtime, non-root, invariant globalization,
/// the probe/metrics port, a restore layer that copies every project the operator needs, a small build context.</summary>
public sealed class DockerfileTests
{
    private static readonly DockerfileModel Dockerfile = DockerfileModel.Load();

    [Fact]
    public void Builds_with_the_SDK_and_runs_non_root_on_the_chiseled_runtime()
    {
        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0-noble", "mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled"], Dockerfile.Stages);
        Assert.Equal("$APP_UID", Dockerfile.All("USER").Last());
        Assert.Equal("true", Dockerfile.FinalEnv["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"]);
        Assert.Contains("<InvariantGlobalization>true</InvariantGlobalization>", File.ReadAllText(RepositoryPaths.Combine("Directory.Build.props")), StringComparison.Ordinal);
        Assert.Equal(["dotnet", "/app/cryptoindex.dll"], Dockerfile.Exec("ENTRYPOINT"));
        Assert.Equal(["run"], Dockerfile.Exec("CMD"));
    }

    [Fact]
    public async Task Exposes_the_port_the_chart_probes_and_scrapes()
    {
        var container = (await Support.Chart.TemplateAsync()).One("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!;

        Assert.Equal([(int)container["ports"]![0]!["containerPort"]!], Dockerfile.All("EXPOSE").Select(int.Parse));
        Assert.Equal(1654, (int)(await Support.Chart.TemplateAsync()).One("Deployment")["spec"]!["template"]!["spec"]!["securityContext"]!["runAsUser"]!); // the images' APP_UID
    }

    [Fact]
    public void The_restore_layer_copies_every_project_the_operator_references()
    {
        var copied = Dockerfile.All("COPY").Where(c => c.EndsWith('/') && c.Contains(".csproj", StringComparison.Ordinal))
            .Select(c => c.Split(' ')[0]).ToHashSet();

        var needed = new HashSet<string>();
        var pending = new Stack<string>([RepositoryPaths.Combine("src", "Operator", "CryptoIndex.Operator.csproj")]);
        while (pending.TryPop(out var project))
        {
            if (needed.Add(Path.GetRelativePath(RepositoryPaths.Root, project).Replace('\\', '/')))
            {
                foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
                {
                    pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, reference.Attribute("Include")!.Value.Replace('\\', '/'))));
                }
            }
        }

        Assert.Equal(needed.Order(StringComparer.Ordinal), copied.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_build_context_holds_exactly_what_the_Dockerfile_copies()
    {
        var ignore = File.ReadAllLines(RepositoryPaths.Combine(".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var copied = Dockerfile.All("COPY").Where(c => !c.StartsWith("--from", StringComparison.Ordinal)).SelectMany(c => c.Split(' ')[..^1]).ToList();
        var included = ignore.Where(l => l.StartsWith('!')).Select(l => l[1..]).ToList();

        Assert.Equal("*", ignore[0]); // everything is out unless re-included
        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
        Assert.All(copied, c => Assert.Contains(included, i => c == i || c.StartsWith(i, StringComparison.Ordinal)));
        Assert.All(included, i => Assert.Contains(copied, c => c == i || c.StartsWith(i, StringComparison.Ordinal)));
    }
}
