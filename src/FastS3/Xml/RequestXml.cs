using System.Xml;

namespace FastS3.Xml;

/// <summary>
/// Reading the XML bodies S3 requests carry (DeleteObjects, CompleteMultipartUpload): bounded in
/// size, no DTDs, no external entities.
/// </summary>
public static class RequestXml
{
    /// <summary>Largest body read: 1000 keys of 1024 bytes escaped, or 10 000 parts with SHA-256 checksums, with room to spare.</summary>
    public const int MaxBodySize = 8 * 1024 * 1024;

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        // Text is taken as sent: a key of one space is a key, not an empty element.
        IgnoreWhitespace = false,
        MaxCharactersInDocument = MaxBodySize,
    };

    public static XmlReader Open(ReadOnlyMemory<byte> body) => XmlReader.Create(new MemoryStream(body.ToArray(), writable: false), Settings);

    /// <summary>
    /// Hands each child element of <paramref name="element"/> (a subtree reader, as ReadSubtree gives)
    /// to <paramref name="take"/> as (local name, text content), in order; false as soon as take refuses one.
    /// </summary>
    public static bool ForEachChild(XmlReader element, Func<string, string, bool> take)
    {
        using (element)
        {
            element.Read();
            element.Read();
            while (!element.EOF)
            {
                if (element.NodeType != XmlNodeType.Element)
                {
                    element.Read();
                    continue;
                }

                // Reading the content moves past the element's end, onto its next sibling.
                string name = element.LocalName;
                if (!take(name, element.ReadElementContentAsString()))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Hands each child element of the element <paramref name="reader"/> is on to
    /// <paramref name="take"/>, positioned on it; take reads the whole child (its end included) or
    /// refuses it. Ends past the element's end; false as soon as take refuses, or for text between
    /// the children (a structure, not a value). Malformed XML throws, as the reader does.
    /// </summary>
    public static bool ForEachChildElement(XmlReader reader, Func<XmlReader, bool> take)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return true;
        }

        int depth = reader.Depth;
        reader.Read();
        while (!reader.EOF && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    if (!take(reader))
                    {
                        return false;
                    }

                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA:
                    return false;
                default:
                    reader.Read();
                    break;
            }
        }

        reader.Read();
        return true;
    }
}
