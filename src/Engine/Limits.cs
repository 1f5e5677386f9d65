namespace CryptoIndex.Engine;

/// <summary>
/// The magnitudes the Engine accepts. They are far beyond any real fund, and chosen so that no product or sum the
/// Engine forms can overflow decimal (about 7.9·10^28): an input outside them is refused with
/// <see cref="Rules.ValueOutOfRange"/> instead of failing deep inside.
/// </summary>
public static class Limits
{
    /// <summary>Smallest price: 10^-8 in the quote currency (tokens below trade in multiples such as 1000PEPE).</summary>
    public const decimal MinPrice = 0.00000001m;

    /// <summary>Largest price: 10^12.</summary>
    public const decimal MaxPrice = 1_000_000_000_000m;

    /// <summary>Largest cash, position value, order value or NAV: 10^20 in the quote currency.</summary>
    public const decimal MaxValue = 100_000_000_000_000_000_000m;

    /// <summary>Market caps accepted for weighting: a cent to 10^18.</summary>
    public const decimal MinMarketCap = 0.01m;

    /// <summary>Largest market cap: 10^18.</summary>
    public const decimal MaxMarketCap = 1_000_000_000_000_000_000m;

    /// <summary>Smallest lot step (other than 0, meaning any quantity): 10^-12.</summary>
    public const decimal MinStepSize = 0.000000000001m;

    /// <summary>The fee rate per side must be below this: 50 % (a rate of 1 would leave nothing to buy with).</summary>
    public const decimal FeeRateBound = 0.5m;
}
