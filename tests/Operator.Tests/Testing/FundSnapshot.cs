using System.Text.Json;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Runtime;
using CryptoIndex.Operator.Runtime.Cache;
using CryptoIndex.Operator.Runtime.Controllers;
using k8s;

namespace CryptoIndex.Operator.Tests.Testing;

/// <summary>
/// A reconcile request whose cache holds one fund exactly as the server has it when the snapshot is taken. Tests that
/// call the reconciler directly choose the version it sees: a cache that lags behind is a snapshot taken earlier, and
/// one that has caught up is a new one, with no watch to wait for.
/// </summary>
internal static class FundSnapshot
{
    public static async Task<ReconcileRequest> TakeAsync(IKubernetes client, string name, string ns = "default")
    {
        var fund = await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(IndexFund.Group, IndexFund.Version, ns, IndexFund.Plural, name);
        var cache = new ObjectCache();
        cache.Upsert(KubeObject.From(fund));
        return new ReconcileRequest(new ObjectKey(ns, name), cache);
    }
}
