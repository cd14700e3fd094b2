using Microsoft.Extensions.Logging;

namespace TravelFunctions.LocalHost;

/// <summary>Sends the host's own ASP.NET Core warnings and errors to the captured output.</summary>
internal sealed class OutputLoggerProvider(OutputLog output) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, output);

    public void Dispose() { }

    private sealed class Logger(string category, OutputLog output) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            output.Write($"[host {logLevel}] {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}");
        }
    }
}
