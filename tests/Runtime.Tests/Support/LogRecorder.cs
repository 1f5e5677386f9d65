using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator.Runtime.Tests.Support;

/// <summary>A logger factory that keeps every entry, so a test can assert what was logged at which level.</summary>
internal sealed class LogRecorder : ILoggerFactory
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message, Exception? Error)> Entries { get; } = new();

    public IEnumerable<(LogLevel Level, string Message, Exception? Error)> AtLeast(LogLevel level) =>
        Entries.Where(e => e.Level >= level).Select(e => (e.Level, e.Message, e.Error));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class Logger(LogRecorder owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((logLevel, category, formatter(state, exception), exception));
    }
}
