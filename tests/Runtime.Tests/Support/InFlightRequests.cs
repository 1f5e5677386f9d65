using System.Collections.Concurrent;
using System.Globalization;

namespace CryptoIndex.Operator.Runtime.Tests.Support;

/// <summary>
/// Diagnostics for real-time tests: records the client's requests (watches aside) still waiting for an answer, and the
/// last ones answered, so a test that times out can say which call hung rather than only what did not converge.
/// </summary>
internal sealed class InFlightRequests : DelegatingHandler
{
    private const int Kept = 30;
    private readonly ConcurrentDictionary<long, string> _open = new();
    private readonly ConcurrentQueue<string> _answered = new();
    private long _next;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri?.Query.Contains("watch=true", StringComparison.Ordinal) == true)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var id = Interlocked.Increment(ref _next);
        var what = request.Method + " " + request.RequestUri?.PathAndQuery;
        _open[id] = Stamp() + " " + what;
        var outcome = "exception";
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            outcome = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            return response;
        }
        catch (Exception e)
        {
            outcome = e.GetType().Name;
            throw;
        }
        finally
        {
            _open.TryRemove(id, out _);
            _answered.Enqueue(Stamp() + " " + outcome + " " + what);
            while (_answered.Count > Kept && _answered.TryDequeue(out _))
            {
            }
        }
    }

    /// <summary>The requests still open (with when they started), then the last ones answered (when, and how).</summary>
    public string Describe() =>
        "requests in flight (since): " + (_open.IsEmpty ? "none" : string.Join("; ", _open.Values.Order(StringComparer.Ordinal))) +
        "\nlast answered: " + string.Join("; ", _answered);

    private static string Stamp() => DateTime.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
