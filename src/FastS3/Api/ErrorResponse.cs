using FastS3.Basics;
using FastS3.Http;
using FastS3.Xml;

namespace FastS3.Api;

/// <summary>Writes an S3 &lt;Error&gt; document (no namespace, as S3 sends it) with its status.</summary>
public static class ErrorResponse
{
    public static void Write(HttpResponse response, S3Error error, ReadOnlySpan<byte> resource, ReadOnlySpan<byte> requestId)
    {
        response.StatusCode = error.Status;
        var xml = new XmlBuilder(256 + (resource.Length * 6) + (error.DetailTextUtf8?.Length * 6 ?? 0));
        try
        {
            Build(ref xml, error, resource, requestId);
            xml.WriteTo(response);
        }
        finally
        {
            xml.Dispose();
        }
    }

    internal static void Build(ref XmlBuilder xml, S3Error error, ReadOnlySpan<byte> resource, ReadOnlySpan<byte> requestId)
    {
        xml.OpenRoot("Error"u8, withNamespace: false);
        xml.Element("Code"u8, error.CodeUtf8);
        xml.Element("Message"u8, error.MessageUtf8);
        if (error.DetailNameUtf8 is { } detail)
        {
            xml.Element(detail, error.DetailTextUtf8);
        }

        xml.Element("Resource"u8, resource);
        xml.Element("RequestId"u8, requestId);
        xml.Close("Error"u8);
    }
}
