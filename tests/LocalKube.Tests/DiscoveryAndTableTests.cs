using System.Text.Json.Nodes;
using k8s;
using static CryptoIndex.LocalKube.Tests.TestSupport;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>Discovery documents, OpenAPI answer, and the server-side Table format.</summary>
public sealed class DiscoveryAndTableTests
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    private static Microsoft.Extensions.Time.Testing.FakeTimeProvider FixedClock() =>
        new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task Group_appears_in_discovery_as_soon_as_the_crd_is_created_and_goes_away_on_delete()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var (_, before, _) = await cluster.SendAsync(HttpMethod.Get, "/apis");
        Assert.DoesNotContain(before["groups"]!.AsArray(), g => g!["name"]!.GetValue<string>() == "test.example.com");

        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Crd("widget-crd.yaml"));

        var (_, groups, _) = await cluster.SendAsync(HttpMethod.Get, "/apis/");
        var group = groups["groups"]!.AsArray().Single(g => g!["name"]!.GetValue<string>() == "test.example.com")!;
        Assert.Equal(["test.example.com/v1", "test.example.com/v1beta1"], group["versions"]!.AsArray().Select(v => v!["groupVersion"]!.GetValue<string>()));
        Assert.Equal("v1", group["preferredVersion"]!["version"]!.GetValue<string>());
        var (code, resources, _) = await cluster.SendAsync(HttpMethod.Get, "/apis/test.example.com/v1");
        Assert.Equal(200, code);
        var widgets = resources["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "widgets")!;
        Assert.False(widgets["namespaced"]!.GetValue<bool>());
        Assert.Equal(["wd"], widgets["shortNames"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Contains(resources["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "widgets/status");

        await client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("widgets.test.example.com");
        var (gone, _, _) = await cluster.SendAsync(HttpMethod.Get, "/apis/test.example.com/v1");
        Assert.Equal(404, gone);
    }

    [Fact]
    public async Task Version_core_discovery_and_health()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();

        var version = await client.Version.GetCodeAsync();
        var (_, api, _) = await cluster.SendAsync(HttpMethod.Get, "/api");
        var (_, core, _) = await cluster.SendAsync(HttpMethod.Get, "/api/v1");
        var (health, text, _) = await cluster.SendAsync(HttpMethod.Get, "/healthz");

        Assert.Equal(("1", "35"), (version.Major, version.Minor));
        Assert.Equal("v1", api["versions"]![0]!.GetValue<string>());
        Assert.Equal(cluster.Url.Authority, api["serverAddressByClientCIDRs"]![0]!["serverAddress"]!.GetValue<string>());
        Assert.Equal(["namespaces", "namespaces/status", "configmaps", "secrets", "events"], core["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
        Assert.Equal((200, "ok"), (health, text["text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task OpenApi_v2_is_the_minimal_protobuf_document_and_v3_is_404()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        using var http = Http(cluster);

        using var v2 = await http.GetAsync(new Uri("/openapi/v2?timeout=32s", UriKind.Relative));
        using var v3 = await http.GetAsync(new Uri("/openapi/v3", UriKind.Relative));

        Assert.Equal("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", v2.Content.Headers.ContentType!.MediaType);
        Assert.Equal(new byte[] { 0x0A, 0x03, 0x32, 0x2E, 0x30 }, await v2.Content.ReadAsByteArrayAsync());
        Assert.Equal(404, (int)v3.StatusCode);
    }

    [Fact]
    public async Task List_as_Table_uses_printer_columns_with_filters_and_ages()
    {
        var (cluster, client) = await StartWithCrdAsync(new LocalKubeOptions { TimeProvider = FixedClock() });
        await using var lifetime = cluster;
        await client.CreateFund(Fund("sp500", replicas: 3, labels: new() { ["tier"] = "core" }));
        await client.CreateFund(Fund("dax", "DAX"));
        await client.MergeFund("sp500", """{"status":{"conditions":[{"type":"Other","status":"False"},{"type":"Ready","status":"True"}]}}""", status: true);

        var (code, table, response) = await cluster.SendAsync(HttpMethod.Get, "/apis/finance.example.com/v1alpha1/namespaces/default/indexfunds?limit=500", accept: TableAccept);

        Assert.Equal(200, code);
        Assert.Equal("application/json; as=Table; v=v1; g=meta.k8s.io", response.Content.Headers.ContentType!.ToString().Replace(";", "; ", StringComparison.Ordinal).Replace(";  ", "; ", StringComparison.Ordinal));
        Assert.Equal("Table", table["kind"]!.GetValue<string>());
        Assert.Equal(["Name", "Index", "Replicas", "Ready", "Age"], table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        var rows = table["rows"]!.AsArray();
        Assert.Equal("""["dax","DAX",1,null,"0s"]""", rows[0]!["cells"]!.ToJsonString());
        Assert.Equal("""["sp500","SP500",3,"True","0s"]""", rows[1]!["cells"]!.ToJsonString());
        Assert.Equal("PartialObjectMetadata", rows[1]!["object"]!["kind"]!.GetValue<string>());
        Assert.Equal("core", rows[1]!["object"]!["metadata"]!["labels"]!["tier"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_as_Table_returns_one_row_and_ages_follow_the_cluster_clock()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var (cluster, client) = await StartWithCrdAsync(new LocalKubeOptions { TimeProvider = time });
        await using var lifetime = cluster;
        await client.CreateFund(Fund("sp500"));
        time.Advance(TimeSpan.FromSeconds(317));

        var (_, table, _) = await cluster.SendAsync(HttpMethod.Get, "/apis/finance.example.com/v1alpha1/namespaces/default/indexfunds/sp500", accept: TableAccept);

        Assert.Equal("5m17s", Assert.Single(table["rows"]!.AsArray())!["cells"]![4]!.GetValue<string>());
        Assert.Equal("2026-01-01T00:00:00Z", (await client.GetFund("sp500"))["metadata"]!["creationTimestamp"]!.GetValue<string>());
    }

    [Fact]
    public async Task Builtin_kinds_get_their_tables()
    {
        await using var cluster = await LocalKubeCluster.StartAsync(new LocalKubeOptions { TimeProvider = FixedClock() });
        var client = cluster.CreateClient();
        await client.CoreV1.CreateNamespacedConfigMapAsync(new k8s.Models.V1ConfigMap { Metadata = new k8s.Models.V1ObjectMeta { Name = "c" } }, Ns);
        await client.CoreV1.CreateNamespacedEventAsync(new k8s.Models.Corev1Event
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "e" },
            InvolvedObject = new k8s.Models.V1ObjectReference { Kind = "IndexFund", Name = "sp500", NamespaceProperty = Ns },
            Reason = "Reconciled", Message = "hello", Type = "Normal", LastTimestamp = cluster.Now.UtcDateTime,
        }, Ns);

        var (_, namespaces, _) = await cluster.SendAsync(HttpMethod.Get, "/api/v1/namespaces", accept: TableAccept);
        var (_, maps, _) = await cluster.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/configmaps", accept: TableAccept);
        var (_, events, _) = await cluster.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/events", accept: TableAccept);

        Assert.Equal(["Name", "Status", "Age"], namespaces["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("""["default","Active","0s"]""", namespaces["rows"]![0]!["cells"]!.ToJsonString());
        Assert.Equal(["Name", "Created At"], maps["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("""["0s","Normal","Reconciled","indexfund/sp500","hello","e"]""", events["rows"]![0]!["cells"]!.ToJsonString());
        Assert.Equal(1, events["columnDefinitions"]![5]!["priority"]!.GetValue<int>());
    }

    [Fact]
    public async Task Table_watch_sends_column_definitions_only_on_the_first_event()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("sp500"));
        using var http = Http(cluster);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/apis/finance.example.com/v1alpha1/namespaces/default/indexfunds?watch=true");
        request.Headers.TryAddWithoutValidation("Accept", TableAccept);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var first = JsonNode.Parse((await reader.ReadLineAsync().WaitAsync(Guard))!)!;
        await client.MergeFund("sp500", """{"spec":{"replicas":4}}""");
        var second = JsonNode.Parse((await reader.ReadLineAsync().WaitAsync(Guard))!)!;

        Assert.Equal("ADDED", first["type"]!.GetValue<string>());
        Assert.Equal("Table", first["object"]!["kind"]!.GetValue<string>());
        Assert.Equal(5, first["object"]!["columnDefinitions"]!.AsArray().Count);
        Assert.Equal("MODIFIED", second["type"]!.GetValue<string>());
        Assert.Null(second["object"]!["columnDefinitions"]);
        Assert.Equal(4, second["object"]!["rows"]![0]!["cells"]![2]!.GetValue<int>());
    }
}
