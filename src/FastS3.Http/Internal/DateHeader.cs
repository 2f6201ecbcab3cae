using System.Buffers.Text;

namespace FastS3.Http.Internal;

/// <summary>
/// The "Date: ...\r\n" line, re-rendered once a second rather than per response (RFC 9110 allows a
/// clock with one-second resolution).
/// </summary>
internal static class DateHeader
{
    private static byte[] _line = Render(DateTimeOffset.UtcNow);
    private static readonly Timer Ticker = new(static _ => _line = Render(DateTimeOffset.UtcNow), null, 1000, 1000);

    public static ReadOnlySpan<byte> Line
    {
        get
        {
            GC.KeepAlive(Ticker);
            return Volatile.Read(ref _line);
        }
    }

    private static byte[] Render(DateTimeOffset now)
    {
        Span<byte> buffer = stackalloc byte[64];
        "Date: "u8.CopyTo(buffer);
        Utf8Formatter.TryFormat(now, buffer[6..], out int written, 'R');
        "\r\n"u8.CopyTo(buffer[(6 + written)..]);
        return buffer[..(8 + written)].ToArray();
    }
}
