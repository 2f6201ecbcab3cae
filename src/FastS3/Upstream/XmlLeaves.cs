using System.Xml;

namespace FastS3.Upstream;

/// <summary>
/// S3's response documents read as a flat run of events: each element with text as a leaf under its
/// parent, and the end of each element with children. The readers in <see cref="ResponseXml"/> switch on
/// names, so no serializer (reflection) is needed.
/// </summary>
internal static class XmlLeaves
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        // Keys come URL-encoded; anything else odd should not make the whole answer unreadable.
        CheckCharacters = false,
    };

    /// <summary>(Parent, Name, Text): Text is null for the end of an element that had children. Root's parent is "".</summary>
    public static IEnumerable<(string Parent, string Name, string? Text)> Read(byte[] document)
    {
        using var stream = new MemoryStream(document, writable: false);
        using var reader = XmlReader.Create(stream, Settings);
        var open = new Stack<(string Name, bool HasChildren)>();
        string? text = null;
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    if (open.TryPop(out (string Name, bool HasChildren) parent))
                    {
                        open.Push((parent.Name, true));
                    }

                    text = null;
                    if (reader.IsEmptyElement)
                    {
                        yield return (open.TryPeek(out var p) ? p.Name : "", reader.LocalName, "");
                    }
                    else
                    {
                        open.Push((reader.LocalName, false));
                    }

                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace:
                    text += reader.Value;
                    break;
                case XmlNodeType.EndElement:
                    (string name, bool hasChildren) = open.Pop();
                    yield return (open.TryPeek(out var outer) ? outer.Name : "", name, hasChildren ? null : text ?? "");
                    text = null;
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>The root element's name: an S3 answer of 200 may still be an &lt;Error&gt;.</summary>
    public static string Root(byte[] document)
    {
        using var stream = new MemoryStream(document, writable: false);
        using var reader = XmlReader.Create(stream, Settings);
        return reader.MoveToContent() == XmlNodeType.Element ? reader.LocalName : "";
    }
}
