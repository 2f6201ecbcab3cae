using FastS3.Http;

namespace FastS3.Cli;

/// <summary>Timestamped lines on stderr; stdout stays free for machine-readable output.</summary>
internal sealed class ConsoleLog : IServerLog
{
    private static readonly Lock Gate = new();

    public void Info(string message) => Write("INFO", message);

    public void Warning(string message) => Write("WARN", message);

    public void Error(string message, Exception? exception = null)
        => Write("ERROR", exception is null ? message : $"{message}: {exception}");

    private static void Write(string level, string message)
    {
        lock (Gate)
        {
            Console.Error.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {level} {message}");
        }
    }
}
