using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Operator.Tests.Testing;

/// <summary>The daily CoinGecko exports beside the repository (<c>../shared/data</c>), read in place, never copied in.</summary>
internal static class SharedData
{
    public static string CoinGeckoDaily => Path.GetFullPath(Path.Combine(RepositoryPaths.Root, "..", "shared", "data", "coingecko-daily"));
}

/// <summary>
/// A fact that needs the shared CoinGecko exports. CI clones the repository with <c>../shared</c> beside it, so these
/// run there; a clone without them reports them as skipped, with the reason, instead of failing on a missing folder.
/// </summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (!Directory.Exists(SharedData.CoinGeckoDaily))
        {
            Skip = $"needs the CoinGecko exports at {SharedData.CoinGeckoDaily} (beside the repository, as in CI)";
        }
    }
}
