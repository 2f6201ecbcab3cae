using System.Buffers;

namespace FastS3.Api;

/// <summary>Escapes UTF-8 text for XML element content. Text with nothing to escape (almost every key) is one vectorized scan and one copy.</summary>
public static class XmlText
{
    private static readonly SearchValues<byte> Special = SearchValues.Create("&<>\"'"u8);

    public static int EscapedLength(ReadOnlySpan<byte> text)
    {
        int first = text.IndexOfAny(Special);
        if (first < 0)
        {
            return text.Length;
        }

        int length = text.Length;
        foreach (byte b in text[first..])
        {
            length += b switch
            {
                (byte)'&' => 4,
                (byte)'<' or (byte)'>' => 3,
                (byte)'"' or (byte)'\'' => 5,
                _ => 0,
            };
        }

        return length;
    }

    public static int Escape(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        int first = text.IndexOfAny(Special);
        if (first < 0)
        {
            text.CopyTo(destination);
            return text.Length;
        }

        text[..first].CopyTo(destination);
        int n = first;
        foreach (byte b in text[first..])
        {
            ReadOnlySpan<byte> entity = b switch
            {
                (byte)'&' => "&amp;"u8,
                (byte)'<' => "&lt;"u8,
                (byte)'>' => "&gt;"u8,
                (byte)'"' => "&quot;"u8,
                (byte)'\'' => "&apos;"u8,
                _ => default,
            };
            if (entity.IsEmpty)
            {
                destination[n++] = b;
            }
            else
            {
                entity.CopyTo(destination[n..]);
                n += entity.Length;
            }
        }

        return n;
    }
}
