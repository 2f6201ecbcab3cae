using System.Text;

namespace FastS3.Testing;

/// <summary>A server log kept as text, one line an entry as the console log writes it (less the time), for tests to read.</summary>
public sealed class CapturingLog : IServerLog
{
    private readonly StringBuilder _text = new();

    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    public void Info(string message) => Write("INFO", message);

    public void Warning(string message) => Write("WARN", message);

    public void Error(string message, Exception? exception = null) => Write("ERROR", exception is null ? message : $"{message}: {exception}");

    private void Write(string level, string message)
    {
        lock (_text)
        {
            _text.Append(level).Append(' ').AppendLine(message);
        }
    }
}
