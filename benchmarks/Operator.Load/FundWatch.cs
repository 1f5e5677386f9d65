using System.Collections.Concurrent;
using System.Text.Json;

namespace CryptoIndex.Operator.Load;

/// <summary>What the run needs of one fund's status.</summary>
internal sealed record FundState(string Name, string? Ready, string? ReadyReason, string? LastRebalanceTime, string? LastPriceUpdate, bool RebalanceInProgress)
{
    public bool ReadyAndRebalanced => Ready == "True" && LastRebalanceTime is not null && !RebalanceInProgress;

    public static FundState Of(JsonElement fund)
    {
        var name = fund.GetProperty("metadata").GetProperty("name").GetString()!;
        if (!fund.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.Object)
        {
            return new FundState(name, null, null, null, null, false);
        }

        JsonElement? ready = status.TryGetProperty("conditions", out var conditions) && conditions.ValueKind == JsonValueKind.Array
            ? conditions.EnumerateArray().Where(c => c.GetProperty("type").GetString() == "Ready").Cast<JsonElement?>().FirstOrDefault()
            : null;
        return new FundState(
            name,
            ready?.GetProperty("status").GetString(),
            ready is { } r && r.TryGetProperty("reason", out var reason) ? reason.GetString() : null,
            Text(status, "lastRebalanceTime"),
            Text(status, "lastPriceUpdate"),
            status.TryGetProperty("rebalanceInProgress", out var open) && open.ValueKind == JsonValueKind.Object);
    }

    private static string? Text(JsonElement status, string field) =>
        status.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>
/// Every IndexFund's status as a watch on the API server delivers it (one stream, as <c>kubectl get -w</c> would hold;
/// polling N funds would itself load the server being measured). Its requests carry <see cref="UserAgent"/>.
/// </summary>
internal sealed class FundWatch : IAsyncDisposable
{
    public const string UserAgent = "operator-load/1.0";
    private const string Path = "apis/cryptoindex.io/v1alpha1/indexfunds";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private readonly HttpClient http;
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentDictionary<string, FundState> funds = new(StringComparer.Ordinal);
    private Task? reading;

    public FundWatch(Uri server)
    {
        http = new HttpClient { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
    }

    public IReadOnlyDictionary<string, FundState> Funds => funds;

    /// <summary>Lists the funds, then follows their changes from that version on.</summary>
    public async Task StartAsync()
    {
        using var list = JsonDocument.Parse(await http.GetStringAsync(new Uri(Path, UriKind.Relative)).ConfigureAwait(false));
        foreach (var item in list.RootElement.GetProperty("items").EnumerateArray())
        {
            Set(item);
        }

        var version = list.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        var stream = await http.GetStreamAsync(new Uri($"{Path}?watch=true&resourceVersion={version}&timeoutSeconds=3600", UriKind.Relative)).ConfigureAwait(false);
        reading = Task.Run(() => ReadAsync(stream));
    }

    /// <summary>The size of a LIST of every fund, in bytes of JSON.</summary>
    public async Task<long> ListBytesAsync() => (await http.GetByteArrayAsync(new Uri(Path, UriKind.Relative)).ConfigureAwait(false)).LongLength;

    /// <summary>Waits until <paramref name="done"/> holds for all <paramref name="count"/> funds; the wall-clock time it took.</summary>
    public async Task<TimeSpan> UntilAllAsync(int count, Func<FundState, bool> done, TimeSpan limit)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (funds.Count < count || !funds.Values.All(done))
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                var behind = funds.Values.Where(f => !done(f)).ToList();
                throw new TimeoutException($"{behind.Count} of {count} funds not there after {limit.TotalSeconds:0} s, e.g. {behind.FirstOrDefault()}");
            }

            await Task.Delay(Poll).ConfigureAwait(false);
        }

        return TimeProvider.System.GetElapsedTime(started);
    }

    private async Task ReadAsync(Stream stream)
    {
        using var reader = new StreamReader(stream);
        try
        {
            while (await reader.ReadLineAsync(stop.Token).ConfigureAwait(false) is { } line)
            {
                using var change = JsonDocument.Parse(line);
                if (change.RootElement.GetProperty("type").GetString() is "ADDED" or "MODIFIED")
                {
                    Set(change.RootElement.GetProperty("object"));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }
    }

    private void Set(JsonElement fund)
    {
        var state = FundState.Of(fund);
        funds[state.Name] = state;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        http.Dispose(); // ends the stream
        if (reading is not null)
        {
            try
            {
                await reading.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or HttpRequestException)
            {
                // the stream went with the client
            }
        }

        stop.Dispose();
    }
}
