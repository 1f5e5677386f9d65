using CryptoIndex.Operator.Runtime.Metrics;

namespace CryptoIndex.Operator.Load;

/// <summary>Samples the reconcile queue's depth and the managed heap every few milliseconds, keeping the peaks.</summary>
internal sealed class Sampler : IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(10);
    private readonly RuntimeMetrics metrics;
    private readonly CancellationTokenSource stop = new();
    private readonly Task sampling;

    public Sampler(RuntimeMetrics metrics)
    {
        this.metrics = metrics;
        sampling = Task.Run(SampleAsync);
    }

    public double PeakQueueDepth { get; private set; }

    public long PeakManagedHeap { get; private set; }

    public double QueueDepth => metrics.QueueDepth.WithLabels(OperatorApp.ControllerName, OperatorApp.ControllerName, string.Empty).Value;

    public double ActiveWorkers => metrics.ActiveWorkers.WithLabels(OperatorApp.ControllerName).Value;

    private static readonly string[] Results = ["success", "error", "requeue", "requeue_after"];

    public long Reconciles =>
        (long)Results.Sum(r => metrics.ReconcileTotal.WithLabels(OperatorApp.ControllerName, r).Value);

    public double ReconcileErrors => metrics.ReconcileErrors.WithLabels(OperatorApp.ControllerName).Value;

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(Every);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                PeakQueueDepth = Math.Max(PeakQueueDepth, QueueDepth);
                PeakManagedHeap = Math.Max(PeakManagedHeap, GC.GetTotalMemory(forceFullCollection: false));
            }
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await sampling.ConfigureAwait(false);
        stop.Dispose();
    }
}
