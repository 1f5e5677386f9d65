using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.MarketData.Tests.Fakes;

/// <summary>Keeps every formatted log line, so tests can count them and scan them for secrets.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        Lines.Enqueue((logLevel, formatter(state, exception) + (exception is null ? string.Empty : " | " + exception)));
    }
}
