namespace CryptoIndex.Operator.Runtime.Queue;

/// <summary>Hooks the work queue calls so metrics stay out of its locking logic (client-go's <c>queueMetrics</c>).</summary>
public interface IWorkQueueMetrics
{
    void Added();

    void Depth(int depth);

    void QueueLatency(TimeSpan waited);

    void WorkDuration(TimeSpan worked);

    void Retried();

    /// <summary>Unfinished work (sum of running time of items in processing) and the longest running one.</summary>
    void Unfinished(TimeSpan total, TimeSpan longest);
}

/// <summary>Metrics hooks that record nothing.</summary>
public sealed class NoWorkQueueMetrics : IWorkQueueMetrics
{
    public static readonly NoWorkQueueMetrics Instance = new();

    public void Added()
    {
    }

    public void Depth(int depth)
    {
    }

    public void QueueLatency(TimeSpan waited)
    {
    }

    public void WorkDuration(TimeSpan worked)
    {
    }

    public void Retried()
    {
    }

    public void Unfinished(TimeSpan total, TimeSpan longest)
    {
    }
}
