namespace CryptoIndex.Engine.Weights;

/// <summary>
/// Where the solver writes each asset's rounded weight. Generic (a struct per kind of output) so that the JIT writes
/// straight into the caller's buffer with no call and no copy: records with symbols for
/// <see cref="TargetWeights"/>, bare weights for <see cref="IndexUniverse.WeightsInto(ReadOnlySpan{decimal}, Span{decimal})"/>.
/// </summary>
internal interface IWeightSink
{
    void Write(int index, decimal weight, decimal baseWeight, WeightBound bound);
}

/// <summary>Whole <see cref="TargetWeight"/> records, each with its constituent's symbol.</summary>
internal readonly ref struct TargetWeightSink(Span<TargetWeight> destination, ReadOnlySpan<Constituent> constituents) : IWeightSink
{
    private readonly Span<TargetWeight> destination = destination;
    private readonly ReadOnlySpan<Constituent> constituents = constituents;

    public void Write(int index, decimal weight, decimal baseWeight, WeightBound bound) =>
        destination[index] = new TargetWeight(constituents[index].Symbol, weight, baseWeight, bound);
}

/// <summary>The weights alone: 16 bytes an asset and no reference, so no GC write barrier.</summary>
internal readonly ref struct PlainWeightSink(Span<decimal> weights) : IWeightSink
{
    private readonly Span<decimal> weights = weights;

    public void Write(int index, decimal weight, decimal baseWeight, WeightBound bound) => weights[index] = weight;
}
