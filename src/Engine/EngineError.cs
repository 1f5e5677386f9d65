namespace CryptoIndex.Engine;

/// <summary>
/// Why the Engine refused an input: the rule that was broken, the field it concerns (a path in the fund's
/// spec, e.g. <c>assetCap</c> or <c>constituents[2].weight</c>, or in the market data, e.g. <c>prices[BTC]</c>),
/// and a message a person can act on.
/// </summary>
public sealed record EngineError(string Rule, string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message} ({Rule})";
}
