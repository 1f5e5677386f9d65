namespace CryptoIndex.Operator.Runtime.Cache;

/// <summary>What the reflector is doing; reported for diagnostics and for tests that drive a fake clock.</summary>
public enum ReflectorPhase
{
    Listing,
    Watching,
    BackingOff,
    Stopped,
}

/// <summary>Why a watch ended.</summary>
public enum WatchEnd
{
    /// <summary>The server closed the stream (its timeout); resume from the last resourceVersion at once.</summary>
    Closed,

    /// <summary>410 Gone/Expired, as an HTTP status or an in-stream ERROR event: relist.</summary>
    Expired,

    /// <summary>No event (not even a bookmark) within the idle timeout: the connection is presumed dead.</summary>
    IdleTimeout,

    /// <summary>Any other failure: back off, then resume.</summary>
    Error,

    /// <summary>
    /// An event in the stream could not be read (KubernetesClient reports it and reads on, past it): resuming would
    /// miss it, so back off, then relist, as client-go does on a decode error.
    /// </summary>
    Undecodable,
}
