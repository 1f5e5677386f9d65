using CryptoIndex.Operator.Runtime.Queue;

namespace CryptoIndex.Operator.Runtime.Metrics;

/// <summary>client-go's workqueue metrics for one controller's queue (controller-runtime names the queue after the controller).</summary>
public sealed class WorkQueueMetrics(RuntimeMetrics metrics, string controller) : IWorkQueueMetrics
{
    public void Added() => metrics.QueueAdds.WithLabels(controller, controller).Inc();

    public void Depth(int depth) => metrics.QueueDepth.WithLabels(controller, controller, "").Set(depth);

    public void QueueLatency(TimeSpan waited) => metrics.QueueLatency.WithLabels(controller, controller).Observe(waited.TotalSeconds);

    public void WorkDuration(TimeSpan worked) => metrics.WorkDuration.WithLabels(controller, controller).Observe(worked.TotalSeconds);

    public void Retried() => metrics.QueueRetries.WithLabels(controller, controller).Inc();

    public void Unfinished(TimeSpan total, TimeSpan longest)
    {
        metrics.UnfinishedWork.WithLabels(controller, controller).Set(total.TotalSeconds);
        metrics.LongestRunning.WithLabels(controller, controller).Set(longest.TotalSeconds);
    }
}
