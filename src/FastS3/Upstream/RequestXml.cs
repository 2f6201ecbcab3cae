using System.Globalization;
using System.Text;
using FastS3.Basics;

namespace FastS3.Upstream;

/// <summary>The request documents this client sends, written as UTF-8 with keys escaped as XML text.</summary>
internal static class RequestXml
{
    public const int MaxDeleteKeys = 1000;

    public static byte[] Delete(IReadOnlyList<ReadOnlyMemory<byte>> keys)
    {
        if (keys.Count is 0 or > MaxDeleteKeys)
        {
            throw new ArgumentException($"DeleteObjects takes 1 to {MaxDeleteKeys} keys, not {keys.Count}.", nameof(keys));
        }

        using var document = new MemoryStream();
        Append(document, "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>");
        foreach (ReadOnlyMemory<byte> key in keys)
        {
            UpstreamNames.CheckKey(key.Span);
            Append(document, "<Object><Key>");
            Escaped(document, key.Span);
            Append(document, "</Key></Object>");
        }

        Append(document, "</Delete>");
        return document.ToArray();
    }

    public static byte[] Complete(IReadOnlyList<CompletedPart> parts)
    {
        using var document = new MemoryStream();
        Append(document, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        foreach (CompletedPart part in parts)
        {
            Append(document, string.Create(CultureInfo.InvariantCulture, $"<Part><PartNumber>{part.PartNumber}</PartNumber><ETag>"));
            Escaped(document, Encoding.UTF8.GetBytes(part.ETag));
            Append(document, "</ETag></Part>");
        }

        Append(document, "</CompleteMultipartUpload>");
        return document.ToArray();
    }

    private static void Append(MemoryStream document, string markup) => document.Write(Encoding.UTF8.GetBytes(markup));

    private static void Escaped(MemoryStream document, ReadOnlySpan<byte> text)
    {
        byte[] escaped = new byte[XmlText.EscapedLength(text)];
        XmlText.Escape(text, escaped);
        document.Write(escaped);
    }
}
