using FastS3.Basics;
using FastS3.Http;

namespace FastS3.Api;

/// <summary>
/// Headers of a write that ask for something FastS3 does not do: tags and object lock. Refused
/// with 501 rather than dropped, so a client that asked for a retention period or tags to drive a
/// lifecycle never believes it got them.
/// </summary>
internal static class UnsupportedHeaders
{
    private static readonly S3Error Tagging = new(501, "NotImplemented", "Object tagging (x-amz-tagging, x-amz-tagging-directive) is not supported.");
    private static readonly S3Error ObjectLock = new(501, "NotImplemented", "Object lock (x-amz-object-lock-*) is not supported.");

    public static S3Error? Check(HttpRequestHeaders headers)
    {
        foreach (HttpHeader header in headers)
        {
            ReadOnlySpan<byte> name = header.Name;
            if (StartsWith(name, "x-amz-tagging"u8))
            {
                return Tagging;
            }

            if (StartsWith(name, "x-amz-object-lock-"u8))
            {
                return ObjectLock;
            }
        }

        return null;
    }

    private static bool StartsWith(ReadOnlySpan<byte> name, ReadOnlySpan<byte> prefix)
        => name.Length >= prefix.Length && System.Text.Ascii.EqualsIgnoreCase(name[..prefix.Length], prefix);
}
