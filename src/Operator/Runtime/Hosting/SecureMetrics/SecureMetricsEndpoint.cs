using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>
/// Splits the two ports of a secure host: the HTTPS port answers only <c>/metrics</c>, and only to a bearer token the
/// API server authenticates and allows <c>get</c> on <c>/metrics</c>; the plain port answers everything but
/// <c>/metrics</c> (the probes), so the metrics never leave the pod unencrypted or unauthenticated.
/// </summary>
internal static class SecureMetricsEndpoint
{
    public const string MetricsPath = "/metrics";

    public static void Use(WebApplication app)
    {
        var reviewer = app.Services.GetRequiredService<MetricsAccessReviewer>();
        app.Use(async (context, next) =>
        {
            var metrics = context.Request.Path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase);
            // The connection's TLS, not Request.IsHttps: forwarded headers (ASPNETCORE_FORWARDEDHEADERS_ENABLED) let a
            // plain-port client set the scheme with X-Forwarded-Proto.
            var tls = context.Features.Get<ITlsConnectionFeature>() is not null;
            if (tls != metrics)
            {
                await Answer(context, StatusCodes.Status404NotFound, "Not Found");
                return;
            }

            if (!metrics)
            {
                await next(context);
                return;
            }

            var decision = await reviewer.ReviewAsync(BearerToken(context.Request), context.Request.Method.ToLowerInvariant(), MetricsPath, context.RequestAborted);
            switch (decision.Outcome)
            {
                case AccessOutcome.Allowed:
                    await next(context);
                    break;
                case AccessOutcome.Unauthenticated:
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await Answer(context, StatusCodes.Status401Unauthorized, "Unauthorized");
                    break;
                case AccessOutcome.Forbidden:
                    await Answer(context, StatusCodes.Status403Forbidden, "Forbidden");
                    break;
                default:
                    await Answer(context, StatusCodes.Status503ServiceUnavailable, "Authorization unavailable");
                    break;
            }
        });
    }

    /// <summary>The token of <c>Authorization: Bearer TOKEN</c> (scheme in any case), or null.</summary>
    internal static string? BearerToken(HttpRequest request) =>
        AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
        && string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
        && header.Parameter?.Trim() is { Length: > 0 } token
            ? token
            : null;

    private static Task Answer(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n", context.RequestAborted);
    }
}
