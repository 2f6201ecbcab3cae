using System.Buffers;
using FastS3.Http;

namespace FastS3.Api;

/// <summary>Writes an S3 &lt;Error&gt; document (no namespace, as S3 sends it) with its status.</summary>
public static class ErrorResponse
{
    private static ReadOnlySpan<byte> XmlDeclaration => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"u8;

    public static void Write(HttpResponse response, S3Error error, ReadOnlySpan<byte> resource, ReadOnlySpan<byte> requestId)
    {
        response.StatusCode = error.Status;
        response.Headers.Add("Content-Type"u8, "application/xml"u8);

        int escapedResource = XmlText.EscapedLength(resource);
        int length = XmlDeclaration.Length + "<Error><Code></Code><Message></Message><Resource></Resource><RequestId></RequestId></Error>"u8.Length
            + error.CodeUtf8.Length + error.MessageUtf8.Length + escapedResource + requestId.Length;
        response.ContentLength = length;

        // HEAD and similar responses carry the status and headers only, as S3's do.
        if (!HasBody(response))
        {
            return;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> body = rented.AsSpan(0, length);
            int n = 0;
            Append(body, ref n, XmlDeclaration);
            Append(body, ref n, "<Error><Code>"u8);
            Append(body, ref n, error.CodeUtf8);
            Append(body, ref n, "</Code><Message>"u8);
            Append(body, ref n, error.MessageUtf8);
            Append(body, ref n, "</Message><Resource>"u8);
            n += XmlText.Escape(resource, body[n..]);
            Append(body, ref n, "</Resource><RequestId>"u8);
            Append(body, ref n, requestId);
            Append(body, ref n, "</RequestId></Error>"u8);
            response.Write(body);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool HasBody(HttpResponse response) => !response.IsBodyless;

    private static void Append(Span<byte> destination, ref int position, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[position..]);
        position += bytes.Length;
    }
}
