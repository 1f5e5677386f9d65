using System.Text.Json.Nodes;
using System.Threading.Channels;
using CryptoIndex.LocalKube.Selectors;
using CryptoIndex.LocalKube.Server;
using CryptoIndex.LocalKube.Storage;

namespace CryptoIndex.LocalKube.Watch;

/// <summary>One event line to send on a watch stream.</summary>
internal sealed record WatchMessage(string Type, JsonObject Object);

/// <summary>
/// One open watch. The store offers it every committed change while holding the store lock, so the order of
/// messages in the channel is the commit order (bookmarks included); the HTTP side drains the channel.
/// </summary>
internal sealed class Watcher
{
    private readonly Channel<WatchMessage> _channel = Channel.CreateUnbounded<WatchMessage>(
        new UnboundedChannelOptions { SingleReader = true });

    public Watcher(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, bool bookmarks)
    {
        Type = type;
        Namespace = ns;
        Labels = labels;
        Fields = fields;
        Bookmarks = bookmarks;
    }

    public ResourceType Type { get; }

    public string? Namespace { get; }

    public LabelSelector Labels { get; }

    public FieldSelector Fields { get; }

    public bool Bookmarks { get; }

    /// <summary>Set by fault injection: the connection stays open but nothing more is sent.</summary>
    public bool Dropped { get; set; }

    public ChannelReader<WatchMessage> Reader => _channel.Reader;

    public bool Matches(JsonObject obj) =>
        (Namespace is null || Json.Namespace(obj) == Namespace) && Labels.Matches(obj) && Fields.Matches(obj);

    /// <summary>Translates a storage change into what this watcher sees, with the selector transitions of the
    /// real cacher: entering the selection is ADDED, leaving it is DELETED (previous object, new RV).</summary>
    public void Offer(StoredEvent e)
    {
        if (Dropped || e.StorageKey != Type.StorageKey)
        {
            return;
        }

        var nowMatches = Matches(e.Object);
        var oldMatches = e.Old is not null && Matches(e.Old);
        switch (e.Type)
        {
            case "ADDED" when nowMatches:
                Send("ADDED", e.Object);
                break;
            case "DELETED" when nowMatches:
                Send("DELETED", e.Object);
                break;
            case "MODIFIED" when nowMatches && oldMatches:
                Send("MODIFIED", e.Object);
                break;
            case "MODIFIED" when nowMatches:
                Send("ADDED", e.Object);
                break;
            case "MODIFIED" when oldMatches:
                var gone = Json.Clone(e.Old!);
                Json.Metadata(gone)["resourceVersion"] = Json.Str(Json.Metadata(e.Object)["resourceVersion"]);
                Send("DELETED", gone);
                break;
        }
    }

    public void Send(string type, JsonObject obj)
    {
        if (!Dropped)
        {
            _channel.Writer.TryWrite(new WatchMessage(type, ObjectStore.AsVersion(obj, Type)));
        }
    }

    public void Bookmark(long rv)
    {
        if (Bookmarks && !Dropped)
        {
            _channel.Writer.TryWrite(new WatchMessage("BOOKMARK", BookmarkObject(rv, initialEventsEnd: false)));
        }
    }

    public JsonObject BookmarkObject(long rv, bool initialEventsEnd)
    {
        var metadata = new JsonObject { ["resourceVersion"] = Json.Inv(rv) };
        if (initialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        return new JsonObject { ["kind"] = Type.Kind, ["apiVersion"] = Type.ApiVersion, ["metadata"] = metadata };
    }

    /// <summary>Sends the in-stream 410 a real server sends for a too-old resourceVersion, then ends the stream.</summary>
    public void Expire(long requestedRv, long oldestRv)
    {
        var status = ApiException.Status(410, "Expired",
            $"too old resource version: {Json.Inv(requestedRv)} ({Json.Inv(oldestRv)})", null);
        status.Remove("details");
        _channel.Writer.TryWrite(new WatchMessage("ERROR", status));
        Close();
    }

    public void Close() => _channel.Writer.TryComplete();
}
