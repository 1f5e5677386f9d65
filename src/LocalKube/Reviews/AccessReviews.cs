namespace CryptoIndex.LocalKube;

/// <summary>
/// Who LocalKube's TokenReview and SubjectAccessReview endpoints know: bearer tokens with the user and groups they
/// authenticate as, and the non-resource rules (user or group, verb, path) RBAC would allow. Empty by default, so
/// every token is unknown and every review denied. Tests change it at any time; reviews see the change at once.
/// LocalKube itself still ignores the credentials of the requests it serves: this table only answers reviews.
/// </summary>
public sealed class AccessReviews
{
    /// <summary>Added to every authenticated user's groups, as the real authenticators do.</summary>
    public const string AuthenticatedGroup = "system:authenticated";

    /// <summary>RBAC's superuser group: allowed everything.</summary>
    public const string MastersGroup = "system:masters";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ReviewUser> _tokens = new(StringComparer.Ordinal);
    private readonly List<NonResourceRule> _rules = [];

    /// <summary>
    /// Makes <paramref name="token"/> authenticate as <paramref name="user"/> with <paramref name="groups"/> (plus
    /// <see cref="AuthenticatedGroup"/>); the uid is derived from the user name.
    /// </summary>
    public AccessReviews AddToken(string token, string user, params string[] groups)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        ArgumentException.ThrowIfNullOrEmpty(user);
        var all = groups.Contains(AuthenticatedGroup, StringComparer.Ordinal) ? groups : [.. groups, AuthenticatedGroup];
        lock (_gate)
        {
            _tokens[token] = new ReviewUser(user, "uid-" + user, all);
        }

        return this;
    }

    /// <summary>A token no longer authenticates (revoked, or its service account deleted).</summary>
    public AccessReviews RemoveToken(string token)
    {
        lock (_gate)
        {
            _tokens.Remove(token);
        }

        return this;
    }

    /// <summary>Allows <paramref name="user"/> <paramref name="verb"/> on <paramref name="path"/> (a ClusterRole's
    /// <c>nonResourceURLs</c> entry: exact, or a prefix ending in <c>*</c>; verb <c>*</c> is any verb).</summary>
    public AccessReviews AllowUser(string user, string verb, string path) => Add(new NonResourceRule(user, IsGroup: false, verb, path));

    /// <summary>As <see cref="AllowUser"/>, for every member of <paramref name="group"/>.</summary>
    public AccessReviews AllowGroup(string group, string verb, string path) => Add(new NonResourceRule(group, IsGroup: true, verb, path));

    /// <summary>Forgets every token and rule.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _tokens.Clear();
            _rules.Clear();
        }
    }

    internal ReviewUser? Authenticate(string token)
    {
        lock (_gate)
        {
            return _tokens.GetValueOrDefault(token);
        }
    }

    /// <summary>The first rule allowing the request, or null (RBAC has no deny rules: no match is "no opinion").</summary>
    internal NonResourceRule? Authorize(string user, IReadOnlyList<string> groups, string verb, string path)
    {
        if (groups.Contains(MastersGroup, StringComparer.Ordinal))
        {
            return new NonResourceRule(MastersGroup, IsGroup: true, "*", "*");
        }

        lock (_gate)
        {
            return _rules.FirstOrDefault(r => r.Matches(user, groups, verb, path));
        }
    }

    private AccessReviews Add(NonResourceRule rule)
    {
        ArgumentException.ThrowIfNullOrEmpty(rule.Subject);
        ArgumentException.ThrowIfNullOrEmpty(rule.Verb);
        ArgumentException.ThrowIfNullOrEmpty(rule.Path);
        lock (_gate)
        {
            _rules.Add(rule);
        }

        return this;
    }
}

/// <summary>An authenticated identity (TokenReview's <c>status.user</c>).</summary>
internal sealed record ReviewUser(string Username, string Uid, IReadOnlyList<string> Groups);

/// <summary>One allowed (subject, verb, nonResourceURL), matched as RBAC matches a ClusterRole rule.</summary>
internal sealed record NonResourceRule(string Subject, bool IsGroup, string Verb, string Path)
{
    public bool Matches(string user, IReadOnlyList<string> groups, string verb, string path) =>
        (IsGroup ? groups.Contains(Subject, StringComparer.Ordinal) : Subject == user)
        && (Verb == "*" || Verb == verb)
        && (Path == "*" || Path == path || (Path.EndsWith('*') && path.StartsWith(Path[..^1], StringComparison.Ordinal)));

    public string Describe() => $"{(IsGroup ? "Group" : "User")} \"{Subject}\" may {Verb} {Path}";
}
