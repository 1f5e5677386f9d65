using Microsoft.Extensions.Hosting;

namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>Runs the <see cref="Manager"/> for the host's lifetime; host shutdown triggers its graceful stop.</summary>
internal sealed class ManagerService(Manager manager) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => manager.RunAsync(stoppingToken);
}
