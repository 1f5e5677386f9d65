using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator.Load;

/// <summary>Counts the operator's warnings and errors, and writes the first few to stderr (a run should have none).</summary>
internal sealed class CountingLoggerProvider : ILoggerProvider
{
    private const int Shown = 10;
    private int warnings;
    private int errors;

    public int Warnings => Volatile.Read(ref warnings);

    public int Errors => Volatile.Read(ref errors);

    public ILogger CreateLogger(string categoryName) => new Counter(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Counter(CountingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var seen = logLevel >= LogLevel.Error ? Interlocked.Increment(ref owner.errors) : Interlocked.Increment(ref owner.warnings);
            if (seen <= Shown)
            {
                Console.Error.WriteLine($"  operator {logLevel}: {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " (" + exception.GetType().Name + ": " + exception.Message + ")")}");
            }
        }
    }
}
