namespace FastS3.Testing;

/// <summary>A server log that drops everything, for servers run inside a test.</summary>
public sealed class SilentLog : IServerLog
{
    public static readonly SilentLog Instance = new();

    public void Info(string message)
    {
    }

    public void Warning(string message)
    {
    }

    public void Error(string message, Exception? exception = null)
    {
    }
}
