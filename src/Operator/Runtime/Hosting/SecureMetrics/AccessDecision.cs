namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>What a request to the secure <c>/metrics</c> gets.</summary>
public enum AccessOutcome
{
    /// <summary>Authenticated and allowed: 200 with the metrics.</summary>
    Allowed,

    /// <summary>No bearer token, or one the API server does not know: 401.</summary>
    Unauthenticated,

    /// <summary>Authenticated but not allowed <c>get</c> on the path: 403.</summary>
    Forbidden,

    /// <summary>The API server could not be asked (down, timeout, refused the review): 503, never allowed, never cached.</summary>
    Unavailable,
}

/// <summary>A review's answer, with the user it was for (never the token).</summary>
public sealed record AccessDecision(AccessOutcome Outcome, string? User = null);
