using System.Buffers.Text;
using FastS3.Basics;
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

    public void Open(scoped ReadOnlySpan<byte> name) => _buffer.Commit(WriteOpen(name, _buffer.GetSpan(name.Length + 2)));

    public void Close(scoped ReadOnlySpan<byte> name) => _buffer.Commit(WriteClose(name, _buffer.GetSpan(name.Length + 3)));

    // Elements reserve their whole length once: a 1000-key listing writes some 12,000 of them.
    public void Element(scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> text)
    {
        Span<byte> span = _buffer.GetSpan((2 * name.Length) + 5 + XmlText.EscapedLength(text));
        int n = WriteOpen(name, span);
        n += XmlText.Escape(text, span[n..]);
        _buffer.Commit(n + WriteClose(name, span[n..]));
    }

    public void Element(scoped ReadOnlySpan<byte> name, long value)
    {
        Span<byte> span = _buffer.GetSpan((2 * name.Length) + 5 + 20);
        int n = WriteOpen(name, span);
        Utf8Formatter.TryFormat(value, span[n..], out int written);
        n += written;
        _buffer.Commit(n + WriteClose(name, span[n..]));
    }

    public void Element(scoped ReadOnlySpan<byte> name, bool value) => Element(name, value ? "true"u8 : "false"u8);

    /// <summary>ISO 8601 with milliseconds, as S3 writes LastModified and CreationDate.</summary>
    public void Element(scoped ReadOnlySpan<byte> name, DateTimeOffset time)
    {
        Span<byte> span = _buffer.GetSpan((2 * name.Length) + 5 + 24);
        int n = WriteOpen(name, span);
        n += FormatIso8601(time.UtcDateTime, span[n..]);
        _buffer.Commit(n + WriteClose(name, span[n..]));
    }

    private static int WriteOpen(scoped ReadOnlySpan<byte> name, Span<byte> destination)
    {
        destination[0] = (byte)'<';
        name.CopyTo(destination[1..]);
        destination[name.Length + 1] = (byte)'>';
        return name.Length + 2;
    }

    private static int WriteClose(scoped ReadOnlySpan<byte> name, Span<byte> destination)
    {
        destination[0] = (byte)'<';
        destination[1] = (byte)'/';
        name.CopyTo(destination[2..]);
        destination[name.Length + 2] = (byte)'>';
        return name.Length + 3;
    }

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

    /// <summary>
    /// A key, prefix, delimiter or marker a listing echoes: with encoding-type=url percent-encoded
    /// ('/' kept; nothing is left to XML-escape), else XML-escaped like any text.
    /// </summary>
    public void KeyElement(scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> key, bool urlEncoded)
    {
        if (!urlEncoded)
        {
            Element(name, key);
            return;
        }

        Span<byte> span = _buffer.GetSpan((2 * name.Length) + 5 + UriEncoding.MaxEncodedLength(key.Length));
        int n = WriteOpen(name, span);
        n += UriEncoding.Encode(key, span[n..], keepSlash: true);
        _buffer.Commit(n + WriteClose(name, span[n..]));
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
