namespace FastS3.Api;

/// <summary>Escapes UTF-8 text for XML element content.</summary>
public static class XmlText
{
    public static int EscapedLength(ReadOnlySpan<byte> text)
    {
        int length = text.Length;
        foreach (byte b in text)
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
        int n = 0;
        foreach (byte b in text)
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
