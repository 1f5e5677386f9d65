using CryptoIndex.Engine.Planning;

namespace CryptoIndex.Exchanges.Paper;

/// <summary>
/// Paper trading settings: the fund's fee rate (charged as <see cref="Engine.Ledger.FeeModel"/> does), slippage in
/// basis points against the taker (a buy pays price × (1 + bps/10⁴), a sell receives price × (1 − bps/10⁴)), and the
/// symbol rules to plan with (assets not listed have none).
/// </summary>
public sealed record PaperOptions(
    decimal FeeRate = 0.001m,
    decimal SlippageBps = 0m,
    string QuoteAsset = "USDT",
    IReadOnlyDictionary<string, SymbolRules>? SymbolRules = null);
