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
        IgnoreWhitespace = true,
        MaxCharactersInDocument = MaxBodySize,
    };

    public static XmlReader Open(ReadOnlyMemory<byte> body) => XmlReader.Create(new MemoryStream(body.ToArray(), writable: false), Settings);
}
