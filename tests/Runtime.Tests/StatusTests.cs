using System.Text.Json.Nodes;
using CryptoIndex.Operator.Runtime.Status;
using CsCheck;

namespace CryptoIndex.Operator.Runtime.Tests;

public sealed class StatusTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Merge_patch_diff_sets_changes_removes_with_null_and_replaces_arrays()
    {
        var from = JsonNode.Parse("""{"a":1,"b":{"x":1,"y":2},"c":[1,2],"d":"gone"}""");
        var to = JsonNode.Parse("""{"a":1,"b":{"x":1,"y":3,"z":4},"c":[1],"e":true}""");
        var patch = JsonMergePatch.Diff(from, to)!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"b":{"y":3,"z":4},"c":[1],"d":null,"e":true}"""), patch), patch.ToJsonString());
        Assert.Null(JsonMergePatch.Diff(from, from!.DeepClone()));
    }

    [Fact]
    public void Applying_the_diff_always_yields_the_target()
    {
        var leaf = Gen.OneOf<JsonNode?>(Gen.Int[0, 3].Select(i => (JsonNode?)JsonValue.Create(i)), Gen.Const<JsonNode?>(JsonNode.Parse("[1,2]")));
        var obj = Gen.Dictionary(Gen.String["abc"].Where(k => k.Length > 0), leaf)[0, 4]
            .Select(d => (JsonNode)new JsonObject(d.Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone()))));
        var nested = Gen.Select(obj, obj).Select((a, b) =>
        {
            ((JsonObject)a)["nested"] = b;
            return a;
        });
        Gen.Select(nested, nested).Sample((a, b) =>
        {
            var patch = JsonMergePatch.Diff(a, b);
            var applied = patch is null ? a.DeepClone() : Apply(a.DeepClone(), patch);
            Assert.True(JsonNode.DeepEquals(applied, b), $"{a.ToJsonString()} + {patch?.ToJsonString()} != {b.ToJsonString()}");
        }, iter: 300);
    }

    [Fact]
    public void The_diff_is_null_exactly_when_the_documents_are_equal_and_carries_only_fields_that_differ()
    {
        // Fields a, b and c each absent (0), 0, 1 or null (3): small enough that equal fields and documents are common.
        var obj = Gen.Int[0, 3].Array[3].Select(fields =>
        {
            var o = new JsonObject();
            foreach (var (field, name) in fields.Zip("abc"))
            {
                if (field > 0)
                {
                    o[name.ToString()] = field == 3 ? null : JsonValue.Create(field - 1);
                }
            }

            return o;
        });
        var nested = Gen.Select(obj, obj).Select((a, b) =>
        {
            a["nested"] = b; // often equal on both sides while the top level differs, and the other way round
            return (JsonNode)a;
        });
        Gen.Select(nested, nested).Sample((a, b) =>
        {
            var patch = JsonMergePatch.Diff(a, b);
            Assert.True(JsonNode.DeepEquals(a, b) == patch is null, $"{a.ToJsonString()} → {b.ToJsonString()}: {patch?.ToJsonString()}");
            foreach (var (name, _) in patch?.AsObject() ?? [])
            {
                Assert.False(JsonNode.DeepEquals(a[name], b[name]) && a.AsObject().ContainsKey(name) == b.AsObject().ContainsKey(name), $"{name} is equal: {patch!.ToJsonString()}");
            }
        }, iter: 500);
    }

    [Fact]
    public void Conditions_keep_the_transition_time_unless_the_outcome_changes()
    {
        var status = new JsonObject();
        Assert.True(Conditions.Set(status, Conditions.Stalled, true, "InvalidSpec", "bad", 1, T0));
        Assert.True(Conditions.Set(status, Conditions.Ready, false, "Failed", "bad", 1, T0));
        var before = status.DeepClone();

        // Same outcome later, newer generation: only observedGeneration moves.
        Assert.False(Conditions.Set(status, Conditions.Ready, false, "Failed", "bad", 2, T0.AddMinutes(5)));
        Assert.Equal("2026-11-26T06:00:00Z", (string?)Conditions.Get(status, Conditions.Ready)!["lastTransitionTime"]);
        Assert.Equal(2, (long)Conditions.Get(status, Conditions.Ready)!["observedGeneration"]!);

        // Same everything: the status is identical, so the status writer would send nothing.
        var again = before.DeepClone().AsObject();
        Conditions.Set(again, Conditions.Ready, false, "Failed", "bad", 1, T0.AddHours(1));
        Assert.True(JsonNode.DeepEquals(before, again));
        Assert.Null(JsonMergePatch.Diff(before, again));

        Assert.True(Conditions.Set(status, Conditions.Ready, true, "Succeeded", "ok", 2, T0.AddMinutes(10)));
        Assert.Equal("2026-11-26T06:10:00Z", (string?)Conditions.Get(status, Conditions.Ready)!["lastTransitionTime"]);
        Conditions.Remove(status, Conditions.Stalled);
        Assert.Null(Conditions.Get(status, Conditions.Stalled));

        // Ready first, then by type.
        Conditions.Set(status, Conditions.Reconciling, true, "Progressing", "", 2, T0);
        Assert.Equal(["Ready", "Reconciling"], status["conditions"]!.AsArray().Select(c => (string?)c!["type"]));
    }

    [Fact]
    public void The_requested_reconcile_annotation_is_echoed()
    {
        var obj = KubeObject.Parse("""{"metadata":{"name":"a","namespace":"default","annotations":{"reconcile.cryptoindex.io/requestedAt":"2026-11-26T06:00:00Z"}},"status":{"x":1}}""");
        var status = obj.StatusCopy();
        Conditions.EchoReconcileRequest(status, obj);
        Assert.Equal("2026-11-26T06:00:00Z", (string?)status[Conditions.LastHandledReconcileAt]);
        Assert.Equal(1, (int)status["x"]!);
    }

    private static JsonNode? Apply(JsonNode? target, JsonNode patch)
    {
        if (patch is not JsonObject p)
        {
            return patch.DeepClone();
        }

        var t = target as JsonObject ?? [];
        foreach (var (k, v) in p.ToList())
        {
            if (v is null)
            {
                t.Remove(k);
            }
            else
            {
                t[k] = Apply(t[k]?.DeepClone(), v);
            }
        }

        return t;
    }
}
