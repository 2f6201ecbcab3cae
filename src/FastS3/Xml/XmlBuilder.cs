using System.Buffers.Text;
using FastS3.Api;
using FastS3.Auth;
using FastS3.Buffers;
using FastS3.Http;

namespace FastS3.Xml;

/// <summary>
/// Renders S3 response documents into pooled memory, escaping text as it goes, so a response is
/// one copy into the output with a known Content-Length and no strings on the way.
/// </summary>
internal ref struct XmlBuilder
{
    public static ReadOnlySpan<byte> S3Namespace => "http://s3.amazonaws.com/doc/2006-03-01/"u8;

    private ScratchBuffer _buffer;

    public XmlBuilder(int capacity)
    {
        _buffer = new ScratchBuffer(capacity);
        _buffer.Append(Declaration);
    }

    /// <summary>The XML declaration every document starts with.</summary>
    public static ReadOnlySpan<byte> Declaration => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"u8;

    /// <summary>The document after its declaration.</summary>
    public readonly ReadOnlySpan<byte> Body => _buffer.Written[Declaration.Length..];

    /// <summary>Appends markup built elsewhere (another builder's <see cref="Body"/>).</summary>
    public void Raw(scoped ReadOnlySpan<byte> markup) => _buffer.Append(markup);

    public readonly ReadOnlySpan<byte> Written => _buffer.Written;

    /// <summary>The document element, in the S3 namespace unless it is an &lt;Error&gt;.</summary>
    public void OpenRoot(scoped ReadOnlySpan<byte> name, bool withNamespace = true)
    {
        _buffer.Append((byte)'<');
        _buffer.Append(name);
        if (withNamespace)
        {
            _buffer.Append(" xmlns=\""u8);
            _buffer.Append(S3Namespace);
            _buffer.Append((byte)'"');
        }

        _buffer.Append((byte)'>');
    }

    public void Open(scoped ReadOnlySpan<byte> name)
    {
        _buffer.Append((byte)'<');
        _buffer.Append(name);
        _buffer.Append((byte)'>');
    }

    public void Close(scoped ReadOnlySpan<byte> name)
    {
        _buffer.Append("</"u8);
        _buffer.Append(name);
        _buffer.Append((byte)'>');
    }

    public void Element(scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> text)
    {
        Open(name);
        Text(text);
        Close(name);
    }

    public void Element(scoped ReadOnlySpan<byte> name, long value)
    {
        Open(name);
        Utf8Formatter.TryFormat(value, _buffer.GetSpan(20), out int written);
        _buffer.Commit(written);
        Close(name);
    }

    public void Element(scoped ReadOnlySpan<byte> name, bool value) => Element(name, value ? "true"u8 : "false"u8);

    /// <summary>ISO 8601 with milliseconds, as S3 writes LastModified and CreationDate.</summary>
    public void Element(scoped ReadOnlySpan<byte> name, DateTimeOffset time)
    {
        Open(name);
        _buffer.Commit(FormatIso8601(time.UtcDateTime, _buffer.GetSpan(24)));
        Close(name);
    }

    /// <summary>"yyyy-MM-ddTHH:mm:ss.fffZ" by hand: a general format string costs more than the rest of a listing entry.</summary>
    private static int FormatIso8601(DateTime time, Span<byte> destination)
    {
        Digits(destination, time.Year, 4);
        destination[4] = (byte)'-';
        Digits(destination[5..], time.Month, 2);
        destination[7] = (byte)'-';
        Digits(destination[8..], time.Day, 2);
        destination[10] = (byte)'T';
        Digits(destination[11..], time.Hour, 2);
        destination[13] = (byte)':';
        Digits(destination[14..], time.Minute, 2);
        destination[16] = (byte)':';
        Digits(destination[17..], time.Second, 2);
        destination[19] = (byte)'.';
        Digits(destination[20..], time.Millisecond, 3);
        destination[23] = (byte)'Z';
        return 24;

        static void Digits(Span<byte> destination, int value, int count)
        {
            for (int i = count - 1; i >= 0; i--)
            {
                destination[i] = (byte)('0' + (value % 10));
                value /= 10;
            }
        }
    }

    /// <summary>A key or prefix for encoding-type=url: percent-encoded ('/' kept), then XML-escaped (nothing left to escape).</summary>
    public void ElementUrlEncoded(scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> text)
    {
        Open(name);
        _buffer.Commit(UriEncoding.Encode(text, _buffer.GetSpan(UriEncoding.MaxEncodedLength(text.Length)), keepSlash: true));
        Close(name);
    }

    public void Text(scoped ReadOnlySpan<byte> text)
        => _buffer.Commit(XmlText.Escape(text, _buffer.GetSpan(XmlText.EscapedLength(text))));

    /// <summary>Sends the document as the response body (status and other headers set by the caller).</summary>
    public readonly void WriteTo(HttpResponse response)
    {
        response.Headers.Add("Content-Type"u8, "application/xml"u8);
        response.ContentLength = _buffer.Length;
        if (!response.IsBodyless)
        {
            response.Write(_buffer.Written);
        }
    }

    public void Dispose() => _buffer.Dispose();
}
