using System.Globalization;
using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Selectors;
using CryptoIndex.LocalKube.Table;
using CryptoIndex.LocalKube.Watch;
using Microsoft.AspNetCore.Http;

namespace CryptoIndex.LocalKube.Server;

/// <summary>watch streams, bookmarks, and the watch disturbances of fault injection.</summary>
internal sealed partial class ApiServer
{
    /// <summary>Streams watch events as newline-delimited JSON, flushing each one (spec section 10.4).</summary>
    private async Task WatchAsync(ApiRequestContext req)
    {
        var http = req.Http;
        var type = req.Type!;
        Watcher watcher;
        var timeout = req.Query("timeoutSeconds") is { } ts && long.TryParse(ts, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : Options.DefaultWatchTimeout;

        // The deadline starts before the watch is registered, so a test that sees the watch can advance a fake clock.
        using var deadline = new CancellationTokenSource(timeout, Time);
        try
        {
            var labels = LabelSelector.Parse(req.Query("labelSelector"));
            var fields = FieldSelector.Parse(req.Query("fieldSelector"), type);
            if (req.Name.Length > 0)
            {
                // The deprecated GET .../{r}/{n}?watch=true form watches one object.
                fields = FieldSelector.Parse("metadata.name=" + req.Name, type);
            }

            var fromRv = ParseRv(req.Query("resourceVersion"));
            watcher = new Watcher(type, req.Namespace.Length > 0 ? req.Namespace : null, labels, fields, req.QueryTrue("allowWatchBookmarks"));
            var sendInitial = req.QueryTrue("sendInitialEvents");
            lock (Store.Gate)
            {
                if (Faults.TakeExpireNextWatch(type.Plural))
                {
                    watcher.Expire(fromRv ?? Store.CurrentRv, Store.CurrentRv);
                }
                else
                {
                    Store.StartWatch(watcher, sendInitial ? null : fromRv, sendInitial && watcher.Bookmarks);
                }
            }
        }
        catch (ApiException e)
        {
            Record(http, req, e.Code);
            http.Response.StatusCode = e.Code;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(e.ToStatus().ToJsonString(Json.Compact), http.RequestAborted).ConfigureAwait(false);
            return;
        }

        var table = TableConverter.Wanted(req.Accept);
        Record(http, req, 200);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, http.RequestAborted, ShuttingDown);
        try
        {
            http.Response.StatusCode = 200;
            http.Response.ContentType = table ? TableConverter.ContentType : "application/json";
            WriteWarnings(http, req);
            await http.Response.Body.FlushAsync(linked.Token).ConfigureAwait(false);
            var first = true;
            while (await watcher.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
            {
                while (watcher.Reader.TryRead(out var message))
                {
                    var obj = message.Object;
                    if (table && message.Type is "ADDED" or "MODIFIED" or "DELETED")
                    {
                        obj = TableConverter.Convert(type, [obj], Json.MetaString(obj, "resourceVersion") ?? "0", null,
                            withHeaders: first, req.Query("includeObject"), Time.GetUtcNow());
                        first = false;
                    }

                    var line = new JsonObject { ["type"] = message.Type, ["object"] = obj }.ToJsonString(Json.Compact) + "\n";
                    await http.Response.WriteAsync(line, linked.Token).ConfigureAwait(false);
                    await http.Response.Body.FlushAsync(linked.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Deadline (clean close), client gone or cluster disposed: just end the chunked stream.
        }
        catch (IOException)
        {
            // The client went away mid-write.
        }
        finally
        {
            lock (Store.Gate)
            {
                Store.StopWatch(watcher);
            }
        }
    }

    /// <summary>Sends a BOOKMARK at the current resourceVersion on every watch that allows bookmarks.</summary>
    public void SendBookmarks()
    {
        lock (Store.Gate)
        {
            foreach (var w in Store.Watchers)
            {
                w.Bookmark(Store.CurrentRv);
            }
        }
    }

    public async Task RunBookmarksAsync()
    {
        using var timer = new PeriodicTimer(Options.BookmarkInterval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(ShuttingDown).ConfigureAwait(false))
            {
                SendBookmarks();
            }
        }
        catch (OperationCanceledException)
        {
            // Cluster disposed.
        }
    }

    public int DisturbWatches(string? resource, WatchDisturbance how)
    {
        lock (Store.Gate)
        {
            var hit = Store.Watchers.Where(w => resource is null || w.Type.Plural == resource).ToList();
            foreach (var w in hit)
            {
                switch (how)
                {
                    case WatchDisturbance.Close:
                        Store.StopWatch(w);
                        break;
                    case WatchDisturbance.Expire:
                        w.Expire(Store.CurrentRv, Store.CurrentRv);
                        Store.StopWatch(w);
                        break;
                    default:
                        w.Dropped = true;
                        break;
                }
            }

            return hit.Count;
        }
    }

    public void CompactHistory()
    {
        lock (Store.Gate)
        {
            Store.Compact();
        }
    }
}
