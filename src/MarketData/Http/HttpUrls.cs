using System.Diagnostics.CodeAnalysis;

namespace CryptoIndex.MarketData.Http;

/// <summary>
/// The base URLs of the HTTP APIs the operator is configured with (CoinGecko, Binance, a proxy in front of them): what
/// is accepted, how one is normalized, and how one is shown in a message without the credentials it may carry.
/// </summary>
public static class HttpUrls
{
    /// <summary>
    /// Whether <paramref name="url"/> is an absolute http or https URL. <c>localhost:8080</c> or
    /// <c>my-proxy:8080/api/v3/</c> parse as absolute URIs too, with the "scheme" <c>localhost</c> or <c>my-proxy</c>,
    /// which no HTTP client can send a request to.
    /// </summary>
    public static bool IsHttp([NotNullWhen(true)] Uri? url) =>
        url is { IsAbsoluteUri: true } && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    /// <summary>
    /// <paramref name="url"/> with a trailing slash on its path, so that a relative path resolves under it: without one,
    /// <c>https://proxy/api/v3</c> and <c>simple/price</c> make <c>https://proxy/api/simple/price</c>. Anything but an
    /// absolute http(s) URL is returned as it is.
    /// </summary>
    public static Uri AsBase(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return IsHttp(url) && !url.AbsolutePath.EndsWith('/')
            ? new Uri(url.GetLeftPart(UriPartial.Path) + "/" + url.Query + url.Fragment)
            : url;
    }

    /// <summary>
    /// Null when <paramref name="url"/> is an absolute http(s) URL, else the one line saying that <paramref name="key"/>
    /// must be one (the URL shown without its user info).
    /// </summary>
    public static string? Problem(string key, Uri url, Uri example)
    {
        ArgumentNullException.ThrowIfNull(url);
        return IsHttp(url) ? null : $"{key} must be an absolute http(s) URL such as {example}, not '{Redact(url)}'";
    }

    /// <summary>The URL as written, for messages and logs, with its user info (<c>user:password@</c>) replaced by <c>***@</c>.</summary>
    public static string Redact(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return Redact(url.OriginalString);
    }

    /// <summary>
    /// The text of a URL, parsed or not, with anything before an <c>@</c> in its authority replaced by <c>***</c>:
    /// <c>https://user:token@proxy/</c> is shown as <c>https://***@proxy/</c>, and so is <c>user:token@proxy/</c>
    /// (no <c>//</c>) as <c>***@proxy/</c>.
    /// </summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var start = scheme < 0 ? 0 : scheme + 3;
        var end = text.IndexOfAny(['/', '?', '#'], start);
        end = end < 0 ? text.Length : end;
        var at = end > start ? text.LastIndexOf('@', end - 1, end - start) : -1;
        return at < 0 ? text : string.Concat(text.AsSpan(0, start), "***", text.AsSpan(at));
    }
}
