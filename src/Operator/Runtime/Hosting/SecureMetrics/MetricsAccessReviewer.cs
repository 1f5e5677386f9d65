using System.Security.Cryptography;
using System.Text;
using CryptoIndex.Operator.Runtime.Metrics;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>
/// Asks the API server whether a bearer token may read a path: a TokenReview (who is it?) then a SubjectAccessReview
/// (may they <c>verb</c> the non-resource URL?). Answers are cached by a hash of the token for
/// <see cref="SecureMetricsOptions.CacheTtl"/>; a failure to ask is never cached and never allows. The token is never
/// logged, kept or put in an exception.
/// </summary>
public sealed class MetricsAccessReviewer
{
    private readonly IKubernetes _client;
    private readonly SecureMetricsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RuntimeMetrics _metrics;
    private readonly ReviewCache _cache;

    public MetricsAccessReviewer(IKubernetes client, SecureMetricsOptions options, TimeProvider time, RuntimeMetrics metrics, ILogger<MetricsAccessReviewer> logger)
    {
        _client = client;
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _cache = new ReviewCache(time, options.CacheTtl, options.CacheSize);
    }

    /// <summary>Answers cached now (tests check the bound).</summary>
    internal int CachedCount => _cache.Count;

    public async Task<AccessDecision> ReviewAsync(string? token, string verb, string path, CancellationToken cancellationToken)
    {
        var decision = await DecideAsync(token, verb, path, cancellationToken).ConfigureAwait(false);
        _metrics.MetricsAuthRequests.WithLabels(RuntimeMetrics.MetricsAuthResult(decision.Outcome)).Inc();
        return decision;
    }

    private async Task<AccessDecision> DecideAsync(string? token, string verb, string path, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return new AccessDecision(AccessOutcome.Unauthenticated);
        }

        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))) + " " + verb + " " + path;
        if (_cache.Get(key) is { } cached)
        {
            return cached;
        }

        using var timeout = new CancellationTokenSource(_options.ReviewTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        AccessDecision decision;
        try
        {
            decision = await AskAsync(token, verb, path, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // the scraper went away: nothing to answer
        }
#pragma warning disable CA1031 // Any failure to ask (refused, down, timed out, undecodable) must deny, never allow or crash.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // The exception's type and status only: a client exception may carry the request, whose body holds the token.
            var status = e is k8s.Autorest.HttpOperationException http ? ((int)http.Response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
            _logger.ReviewFailed(path, e.GetType().Name, status);
            return new AccessDecision(AccessOutcome.Unavailable);
        }

        _cache.Add(key, decision);
        return decision;
    }

    private async Task<AccessDecision> AskAsync(string token, string verb, string path, CancellationToken cancellationToken)
    {
        var review = await _client.AuthenticationV1.CreateTokenReviewAsync(
            new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token } }, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (review.Status is not { Authenticated: true, User: { Username: { Length: > 0 } } user })
        {
            _logger.Unauthenticated(path);
            return new AccessDecision(AccessOutcome.Unauthenticated);
        }

        var access = await _client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec
            {
                User = user.Username,
                Uid = user.Uid,
                Groups = user.Groups,
                Extra = user.Extra,
                NonResourceAttributes = new V1NonResourceAttributes { Path = path, Verb = verb },
            },
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (access.Status is { Allowed: true })
        {
            return new AccessDecision(AccessOutcome.Allowed, user.Username);
        }

        _logger.Forbidden(user.Username, verb, path, access.Status?.Reason);
        return new AccessDecision(AccessOutcome.Forbidden, user.Username);
    }
}
