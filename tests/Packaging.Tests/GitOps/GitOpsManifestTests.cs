using System.Text.Json.Nodes;
using CryptoIndex.Packaging.Tests.Support;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.GitOps;

/// <summary>The Argo CD and Flux examples are valid objects of their APIs and point at what exists in this repository.</summary>
public sealed class GitOpsManifestTests
{
    private const string ExampleImage = "registry.example.com/acme/cryptoindex-operator";

    private static async Task<Manifests> LoadAsync(params string[] path)
    {
        var yaml = await File.ReadAllTextAsync(RepositoryPaths.Combine(["deploy", "gitops", .. path]));
        StrictModels.ParseOrFail(yaml);
        var manifests = Manifests.Parse(yaml);
        await NodeModels.ValidateOrFailAsync(manifests.Objects);
        return manifests;
    }

    [Fact]
    public async Task The_Argo_CD_applications_are_valid_and_install_the_operator_before_the_funds()
    {
        var operatorApp = (await LoadAsync("argocd", "operator-application.yaml")).One("Application");
        var funds = (await LoadAsync("argocd", "funds-application.yaml")).One("Application");

        Assert.Equal("-1", (string?)operatorApp["metadata"]!["annotations"]!["argocd.argoproj.io/sync-wave"]);
        Assert.True(Directory.Exists(RepositoryPaths.Combine((string)operatorApp["spec"]!["source"]!["path"]!)));
        Assert.Equal(Support.Chart.Release, (string?)operatorApp["spec"]!["source"]!["helm"]!["releaseName"]);
        Assert.Contains("ServerSideApply=true", operatorApp["spec"]!["syncPolicy"]!["syncOptions"]!.AsArray().Select(o => (string?)o));
        Assert.Equal("funds/overlays/prod", (string?)funds["spec"]!["source"]!["path"]);
        // No image is published: the example names one you build and push, not the chart's default.
        Assert.Equal(ExampleImage, (string?)operatorApp["spec"]!["source"]!["helm"]!["valuesObject"]!["image"]!["repository"]);
        // The Helm values given inline are accepted by the chart's schema.
        var values = Path.Combine(Path.GetTempPath(), $"argocd-values-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(values, operatorApp["spec"]!["source"]!["helm"]!["valuesObject"]!.ToJsonString());
        var result = await Tool.RunAsync(Tool.Helm, ["lint", "--strict", Support.Chart.Folder, "-f", values]);

        // Older Argo CD versions passed the cluster's API versions as group/version only: the monitoring objects still render.
        var rendered = await Tool.RunAsync(Tool.Helm, ["template", Support.Chart.Release, Support.Chart.Folder, "-f", values, "--api-versions", "monitoring.coreos.com/v1"]);
        File.Delete(values);
        Assert.True(result.Exit == 0, result.Describe("helm lint with the Application's values"));
        Assert.True(rendered.Exit == 0, rendered.Describe("helm template with the Application's values"));
        var manifests = Manifests.Parse(rendered.Out);
        Assert.Single(manifests.OfKind("ServiceMonitor"));
        Assert.Single(manifests.OfKind("PrometheusRule"));
    }

    [Fact]
    public async Task The_Flux_objects_are_valid_and_the_funds_wait_for_the_operator()
    {
        var cluster = await LoadAsync("flux", "cluster.yaml");
        var operatorRelease = await LoadAsync("flux", "operator", "helmrelease.yaml");
        var operatorBuild = Manifests.Parse(await Tool.OkAsync(Tool.Kubectl, "kustomize", RepositoryPaths.Combine("deploy", "gitops", "flux", "operator")));

        var funds = cluster.One("Kustomization", "index-funds");
        Assert.Equal("cryptoindex-operator", (string?)funds["spec"]!["dependsOn"]![0]!["name"]);
        Assert.True((bool)funds["spec"]!["wait"]!);
        Assert.Equal("./deploy/gitops/flux/operator", (string?)cluster.One("Kustomization", "cryptoindex-operator")["spec"]!["path"]);
        var chartPath = ((string)operatorRelease.One("HelmRelease")["spec"]!["chart"]!["spec"]!["chart"]!).TrimStart('.', '/');
        Assert.True(Directory.Exists(RepositoryPaths.Combine(chartPath)), chartPath);
        Assert.Equal(operatorRelease.Objects.Count, operatorBuild.Objects.Count);
        Assert.Equal(ExampleImage, (string?)operatorRelease.One("HelmRelease")["spec"]!["values"]!["image"]!["repository"]);
        // A chart from a GitRepository is packaged again only when its version changes, unless the strategy follows the
        // Git revision: the chart (and the CRD it installs) changed without a version bump would never be upgraded.
        Assert.Equal("Revision", (string?)operatorRelease.One("HelmRelease")["spec"]!["chart"]!["spec"]!["reconcileStrategy"]);

        // Applying cluster.yaml alone must be enough: every source a Kustomization reads is defined beside it.
        foreach (var kustomization in cluster.OfKind("Kustomization"))
        {
            var source = (string)kustomization["spec"]!["sourceRef"]!["name"]!;
            Assert.Single(cluster.OfKind("GitRepository"), r => Manifests.Name(r) == source);
        }

        // The IndexFund health expressions are evaluated against the Argo CD check's fixtures in FluxHealthTests.
        Assert.Equal("IndexFund", (string?)funds["spec"]!["healthCheckExprs"]![0]!["kind"]);
    }

    [Fact]
    public async Task The_example_funds_repository_builds_into_funds_the_CRD_accepts()
    {
        var yaml = await Tool.OkAsync(Tool.Kubectl, "kustomize", RepositoryPaths.Combine("deploy", "gitops", "funds", "overlays", "prod"));
        var fund = Manifests.Parse(yaml).One("IndexFund");
        Assert.Equal(("funds", 50000), ((string?)fund["metadata"]!["namespace"], (int)fund["spec"]!["capital"]!));
        // Deleting the namespace deletes every fund in it, and the exchange Secrets made by hand, whatever the funds'
        // own annotations say: neither Argo CD (Application deleted, or prune) nor Flux (prune) may do it implicitly.
        var annotations = Manifests.Parse(yaml).One("Namespace", "funds")["metadata"]!["annotations"]!;
        Assert.Equal("Prune=false,Delete=false", (string?)annotations["argocd.argoproj.io/sync-options"]);
        Assert.Equal("disabled", (string?)annotations["kustomize.toolkit.fluxcd.io/prune"]);

        await using var cluster = await ApplyCluster.StartAsync();
        await cluster.Cluster.ApplyYamlAsync(await File.ReadAllTextAsync(RepositoryPaths.Combine("config", "crds", "cryptoindex.io_indexfunds.yaml")));
        await cluster.ApplyAsync(yaml);
        var stored = JsonNode.Parse(await cluster.Kubectl.OkAsync("get", "ifund", "core-sixty-forty", "-n", "funds", "-o", "json"))!;
        Assert.Equal("ToTarget", (string?)stored["spec"]!["rebalance"]!["mode"]); // defaulted by the CRD schema
    }
}
