namespace CryptoIndex.LocalKube.Testing;

/// <summary>Finds files of the repository from a test assembly, wherever the build put it.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding CryptoIndex.sln, found by walking up from the test assembly.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CryptoIndex.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException($"CryptoIndex.sln not found above {AppContext.BaseDirectory}");
        }
    }

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
