using CryptoIndex.Operator.Funds;
using CryptoIndex.Operator.Runtime;
using CryptoIndex.Operator.Runtime.Cache;
using CryptoIndex.Operator.Runtime.Controllers;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// The fund controller's event filter: an update that only adds or removes the operator's own finalizer does not
/// reconcile the fund again (that reconcile came ahead of the executor's retry time); every other change does.
/// </summary>
public sealed class RebalanceFinalizerPredicateTests
{
    private static readonly Func<CacheEvent, bool> Filter = RebalanceFinalizer.Predicate(Predicates.Default());

    [Theory]
    [InlineData("[]", "[\"cryptoindex.io/rebalance-in-progress\"]")]
    [InlineData("[\"cryptoindex.io/rebalance-in-progress\"]", "[]")]
    [InlineData("[\"example.com/keep\",\"cryptoindex.io/rebalance-in-progress\"]", "[\"example.com/keep\"]")]
    public void Only_the_operators_finalizer_changing_does_not_enqueue(string before, string after) =>
        Assert.False(Filter(Updated(Fund(1, before), Fund(1, after))));

    [Fact]
    public void Another_finalizer_a_deletion_or_a_new_generation_still_enqueue()
    {
        Assert.True(Filter(Updated(Fund(1, "[]"), Fund(1, "[\"example.com/keep\"]"))));
        Assert.True(Filter(Updated(Fund(1, "[\"cryptoindex.io/rebalance-in-progress\"]"), Fund(1, "[\"cryptoindex.io/rebalance-in-progress\"]", deleting: true))));
        Assert.True(Filter(Updated(Fund(1, "[]"), Fund(2, "[\"cryptoindex.io/rebalance-in-progress\"]"))));
        Assert.True(Filter(new CacheEvent(CacheEventType.Added, null, Fund(1, "[\"cryptoindex.io/rebalance-in-progress\"]"))));
    }

    private static CacheEvent Updated(KubeObject old, KubeObject updated) => new(CacheEventType.Updated, old, updated);

    private static KubeObject Fund(long generation, string finalizers, bool deleting = false)
    {
        var deletion = deleting ? ",\"deletionTimestamp\":\"2026-11-26T12:00:00Z\"" : string.Empty;
        return KubeObject.Parse(
            "{\"apiVersion\":\"cryptoindex.io/v1alpha1\",\"kind\":\"IndexFund\",\"metadata\":{\"name\":\"f\",\"namespace\":\"default\",\"uid\":\"u\","
            + $"\"resourceVersion\":\"1\",\"generation\":{generation},\"finalizers\":{finalizers}{deletion}}}}}");
    }
}
