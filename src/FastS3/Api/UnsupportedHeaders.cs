using FastS3.Basics;
using FastS3.Http;

namespace FastS3.Api;

/// <summary>
/// Headers of a write that ask for something FastS3 does not do: object lock. Refused with 501
/// rather than dropped, so a client that asked for a retention period never believes it got it.
/// </summary>
internal static class UnsupportedHeaders
{
    private static readonly S3Error ObjectLock = new(501, "NotImplemented", "Object lock (x-amz-object-lock-*) is not supported.");

    public static S3Error? Check(HttpRequestHeaders headers)
    {
        foreach (HttpHeader header in headers)
        {
            ReadOnlySpan<byte> name = header.Name;
            if (name.Length >= "x-amz-object-lock-".Length && System.Text.Ascii.EqualsIgnoreCase(name[.."x-amz-object-lock-".Length], "x-amz-object-lock-"u8))
            {
                return ObjectLock;
            }
        }

        return null;
    }
}
