using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// Makes the JSON line of an <see cref="AccessLogRecord"/>, on the access log's thread: field names
/// of AWS's server access log where it has one (camel-cased: <c>requester</c>, <c>operation</c>,
/// <c>httpStatus</c>, <c>errorCode</c>, <c>bytesSent</c>, <c>totalTime</c>, <c>turnAroundTime</c>,
/// ...). Written by hand: names and ASCII values are copied as they are, times are whole microseconds
/// shown as milliseconds (no floating-point formatting), the timestamp's date and second are
/// formatted once a second, and only the key and the user agent, which can hold anything, are
/// JSON-escaped. The bucket and the key appear only when valid (a bucket name, UTF-8).
/// </summary>
internal sealed class AccessLogFormat
{
    /// <summary>The longest line: names, numbers and short values, and the escaped requester, key and user agent.</summary>
    public const int MaxLineLength = FixedPartBound + MaxEscapedPerByte * (byte.MaxValue + S3Call.MaxKeyLength + AccessLogLine.MaxUserAgent);

    /// <summary>What one byte of a key or user agent can become escaped: a control character's \u00XX.</summary>
    private const int MaxEscapedPerByte = 6;

    /// <summary>Room for all but the escaped fields: names, numbers, the address, a bucket name, an error code.</summary>
    private const int FixedPartBound = 1024;

    private const int SecondLength = 19;

    private static readonly StandardFormat ThreeDigits = new('D', 3);
    private static readonly StandardFormat SixDigits = new('D', 6);

    private readonly byte[] _secondText = new byte[SecondLength];
    private long _second = -1;

    /// <summary>The wall clock, read once a second; records in between add the monotonic clock's time since.</summary>
    private long _anchorTimestamp = long.MinValue / 2;
    private long _anchorTicks;

    private byte[] _line = [];
    private int _length;

    /// <summary>Writes the line (with its '\n') of <paramref name="record"/> at <paramref name="line"/>[<paramref name="at"/>..], which has room for <see cref="MaxLineLength"/>; returns its length.</summary>
    public int Format(ReadOnlySpan<byte> record, byte[] line, int at)
    {
        AccessLogRecord fields = MemoryMarshal.Read<AccessLogRecord>(record);
        ReadOnlySpan<byte> rest = record[AccessLogRecord.Size..];
        ReadOnlySpan<byte> remoteIp = Take(ref rest, fields.RemoteIpLength);
        ReadOnlySpan<byte> requester = Take(ref rest, fields.RequesterLength);
        ReadOnlySpan<byte> bucket = Take(ref rest, fields.BucketLength);
        ReadOnlySpan<byte> key = Take(ref rest, fields.KeyLength);
        ReadOnlySpan<byte> errorCode = Take(ref rest, fields.ErrorCodeLength);
        ReadOnlySpan<byte> userAgent = Take(ref rest, fields.UserAgentLength);

        _line = line;
        _length = at;
        Append("{\"time\":\""u8);
        AppendTime(UtcAt(fields.EndedAt));
        Append("\",\"requestId\":\""u8);
        Append(fields.RequestId);
        Append("\""u8);
        if (!remoteIp.IsEmpty)
        {
            Append(",\"remoteIp\":\""u8);
            Append(remoteIp);
            Append("\""u8);
        }

        if (!requester.IsEmpty)
        {
            Append(",\"requester\":\""u8);
            Append(requester);
            Append("\",\"signatureVersion\":\"SigV4\",\"authenticationType\":\""u8);
            Append(fields.QueryStringAuth ? "QueryString\""u8 : "AuthHeader\""u8);
        }

        // Bucket names, error codes, operation names and request ids are ASCII letters, digits, '.' and '-': nothing to escape.
        Append(",\"operation\":\""u8);
        Append(OperationNames.Of(fields.Operation));
        Append("\""u8);
        if (!bucket.IsEmpty && BucketName.IsValid(bucket))
        {
            Append(",\"bucket\":\""u8);
            Append(bucket);
            Append("\""u8);
        }

        if (!key.IsEmpty && Utf8.IsValid(key))
        {
            Append(",\"key\":\""u8);
            AppendEscaped(key);
            Append("\""u8);
        }

        Append(",\"httpStatus\":"u8);
        AppendNumber(fields.Status);
        if (!errorCode.IsEmpty)
        {
            Append(",\"errorCode\":\""u8);
            Append(errorCode);
            Append("\""u8);
        }

        Append(",\"bytesReceived\":"u8);
        AppendNumber(fields.BytesReceived);
        Append(",\"bytesSent\":"u8);
        AppendNumber(fields.BytesSent);
        if (fields.ObjectSize >= 0)
        {
            Append(",\"objectSize\":"u8);
            AppendNumber(fields.ObjectSize);
        }

        Append(",\"totalTime\":"u8);
        AppendMilliseconds(fields.TotalTime);
        Append(",\"turnAroundTime\":"u8);
        AppendMilliseconds(fields.TurnAroundTime);
        if (!userAgent.IsEmpty && Utf8.IsValid(userAgent))
        {
            Append(",\"userAgent\":\""u8);
            AppendEscaped(userAgent);
            Append("\""u8);
        }

        if (fields.Tls != SslProtocols.None)
        {
            Append(fields.Tls == SslProtocols.Tls13 ? ",\"tlsVersion\":\"TLSv1.3\""u8 : ",\"tlsVersion\":\"TLSv1.2\""u8);
        }

        if (fields.SseC)
        {
            Append(",\"encryption\":\"SSE-C\""u8);
        }

        Append("}\n"u8);
        return _length - at;
    }

    private static ReadOnlySpan<byte> Take(ref ReadOnlySpan<byte> rest, int length)
    {
        ReadOnlySpan<byte> taken = rest[..length];
        rest = rest[length..];
        return taken;
    }

    /// <summary>A Stopwatch timestamp on the wall clock; records reach here up to a few hundred ms late, and not quite in order.</summary>
    private DateTime UtcAt(long timestamp)
    {
        if (Math.Abs(timestamp - _anchorTimestamp) >= Stopwatch.Frequency)
        {
            _anchorTimestamp = Stopwatch.GetTimestamp();
            _anchorTicks = DateTime.UtcNow.Ticks;
        }

        return new DateTime(_anchorTicks + Stopwatch.GetElapsedTime(_anchorTimestamp, timestamp).Ticks, DateTimeKind.Utc);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_line.AsSpan(_length));
        _length += bytes.Length;
    }

    private void AppendNumber(long value, StandardFormat format = default)
    {
        Utf8Formatter.TryFormat(value, _line.AsSpan(_length), out int written, format);
        _length += written;
    }

    /// <summary>ISO 8601 in UTC to the microsecond; the date and second are formatted again only when the second changes.</summary>
    private void AppendTime(DateTime time)
    {
        long second = time.Ticks / TimeSpan.TicksPerSecond;
        if (second != _second)
        {
            time.TryFormat(_secondText, out _, "s", System.Globalization.CultureInfo.InvariantCulture);
            _second = second;
        }

        Append(_secondText);
        Append("."u8);
        AppendNumber(time.Ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond, SixDigits);
        Append("Z"u8);
    }

    /// <summary>Stopwatch ticks as milliseconds with three decimals.</summary>
    private void AppendMilliseconds(long ticks)
    {
        long microseconds = Stopwatch.GetElapsedTime(0, ticks).Ticks / TimeSpan.TicksPerMicrosecond;
        AppendNumber(microseconds / 1000);
        Append("."u8);
        AppendNumber(microseconds % 1000, ThreeDigits);
    }

    /// <summary>The JSON string body of valid UTF-8, escaped as System.Text.Json's relaxed encoder does (quotes, backslashes, control characters).</summary>
    private void AppendEscaped(ReadOnlySpan<byte> utf8)
    {
        JavaScriptEncoder.UnsafeRelaxedJsonEscaping.EncodeUtf8(utf8, _line.AsSpan(_length), out _, out int written);
        _length += written;
    }
}
