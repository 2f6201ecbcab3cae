using System.Buffers;
using System.Text;

namespace FastS3.Basics;

/// <summary>
/// Escapes UTF-8 text for XML element content. Text with nothing to escape (almost every key) is
/// one vectorized scan and one copy; otherwise each run between escapes is copied whole.
/// </summary>
public static class XmlText
{
    /// <summary>What each escaped byte becomes, indexed by the byte (all are below '@'); empty for the rest.</summary>
    private static readonly byte[][] Replacements = BuildReplacements();

    private static readonly SearchValues<byte> Special = SearchValues.Create(
        [.. Enumerable.Range(0, Replacements.Length).Where(b => Replacements[b].Length > 0).Select(b => (byte)b)]);

    public static int EscapedLength(ReadOnlySpan<byte> text)
    {
        int length = text.Length;
        int next;
        while ((next = text.IndexOfAny(Special)) >= 0)
        {
            length += Replacements[text[next]].Length - 1;
            text = text[(next + 1)..];
        }

        return length;
    }

    public static int Escape(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        int n = 0;
        int next;
        while ((next = text.IndexOfAny(Special)) >= 0)
        {
            text[..next].CopyTo(destination[n..]);
            n += next;
            byte[] replacement = Replacements[text[next]];
            replacement.CopyTo(destination[n..]);
            n += replacement.Length;
            text = text[(next + 1)..];
        }

        text.CopyTo(destination[n..]);
        return n + text.Length;
    }

    private static byte[][] BuildReplacements()
    {
        var table = new byte[0x40][];
        for (int b = 0; b < table.Length; b++)
        {
            // C0 controls become character references, as S3 writes them: most cannot appear raw in
            // XML 1.0 at all, and a parser reads a raw CR back as LF.
            table[b] = b < 0x20 ? Encoding.ASCII.GetBytes($"&#x{b:X};") : [];
        }

        table['&'] = "&amp;"u8.ToArray();
        table['<'] = "&lt;"u8.ToArray();
        table['>'] = "&gt;"u8.ToArray();
        table['"'] = "&quot;"u8.ToArray();
        table['\''] = "&apos;"u8.ToArray();
        return table;
    }
}
