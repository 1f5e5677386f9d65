using System.Text.RegularExpressions;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Operator.Tests.Api;

/// <summary>
/// Every relative link in README.md and docs/*.md names a file or folder that exists, and every <c>#anchor</c> a
/// heading of its target (GitHub's slugs), so a renamed section or file is caught here rather than by a reader.
/// </summary>
public sealed partial class ReadmeLinkTests
{
    public static TheoryData<string> Documents() =>
        ["README.md", .. Directory.GetFiles(RepositoryPaths.Combine("docs"), "*.md").Select(f => Path.Combine("docs", Path.GetFileName(f))).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_and_anchor_resolves(string document)
    {
        var path = RepositoryPaths.Combine(document);
        var broken = new List<string>();
        foreach (Match link in Link().Matches(WithoutCodeBlocks(File.ReadAllText(path))))
        {
            var target = link.Groups[1].Value;
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }

            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var file = hash < 0 ? target : target[..hash];
            var targetPath = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
            if (!File.Exists(targetPath) && !Directory.Exists(targetPath))
            {
                broken.Add($"{target}: no such file");
            }
            else if (hash >= 0 && !Anchors(targetPath).Contains(target[(hash + 1)..]))
            {
                broken.Add($"{target}: no such heading");
            }
        }

        Assert.Empty(broken);
    }

    /// <summary>GitHub's heading ids: lower case, punctuation but '-' and '_' dropped, spaces to '-', repeats numbered.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        if (!markdown.EndsWith(".md", StringComparison.Ordinal))
        {
            return anchors;
        }

        foreach (Match heading in Heading().Matches(WithoutCodeBlocks(File.ReadAllText(markdown))))
        {
            var slug = Punctuation().Replace(heading.Groups[1].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-');
            var unique = slug;
            for (var n = 1; !anchors.Add(unique); n++)
            {
                unique = $"{slug}-{n}";
            }
        }

        return anchors;
    }

    private static string WithoutCodeBlocks(string markdown) => CodeBlock().Replace(markdown, "");

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#{1,6}\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{Nd}\- _]")]
    private static partial Regex Punctuation();

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
