namespace CryptoIndex.MarketData;

/// <summary>Why a value from a source was not accepted.</summary>
public enum RejectionReason
{
    /// <summary>The source did not return the asset at all.</summary>
    MissingId,

    /// <summary>The source returned the asset but not in the requested currency.</summary>
    WrongCurrency,

    /// <summary>Zero or negative price.</summary>
    NonPositivePrice,

    /// <summary>Zero or negative market cap.</summary>
    NonPositiveMarketCap,

    /// <summary>The entry could not be read (not a number, wrong shape).</summary>
    Malformed,

    /// <summary>The price moved further from the last accepted one than the configured bound allows.</summary>
    AbsurdJump,

    /// <summary>A price or market cap outside the range the Engine accepts (prices 10^-8..10^12, market caps up to 10^18).</summary>
    OutOfRange,

    /// <summary>Observed in the future (beyond the allowed clock skew), or earlier than the value already accepted.</summary>
    BadTimestamp,

    /// <summary>The request for the asset's page failed while other pages of the same source were answered.</summary>
    PageFailed,
}

/// <summary>One rejected value: which asset, from which source, why, and a sentence naming the numbers.</summary>
public sealed record PriceRejection(AssetRef Asset, string Source, RejectionReason Reason, string Message)
{
    public string Symbol => Asset.Symbol;

    public static PriceRejection For(AssetRef asset, string source, RejectionReason reason, string detail) =>
        new(asset, source, reason, $"{asset.Symbol} from {source}: {detail}");
}
