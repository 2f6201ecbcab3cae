using System.Text.Unicode;
using FastS3.Basics;

namespace FastS3.Api;

/// <summary>
/// The query parameters every listing reads alike. Prefix, delimiter and markers are echoed in the
/// XML, which carries UTF-8 only, so S3 refuses any that is not; encoding-type=url asks for every
/// echoed key percent-encoded, for keys with characters XML 1.0 cannot carry.
/// </summary>
internal static class ListingParameters
{
    /// <summary>Decodes an echoed parameter into <paramref name="destination"/> (empty when absent); false when it does not fit or is not UTF-8.</summary>
    public static bool TryGetText(ReadOnlySpan<byte> query, ReadOnlySpan<byte> name, Span<byte> destination, out int length)
    {
        if (!QueryString.TryGet(query, name, destination, out length))
        {
            return length == 0;
        }

        return Utf8.IsValid(destination[..length]);
    }

    /// <summary>Whether encoding-type=url was asked for; InvalidEncodingType for any other value.</summary>
    public static S3Error? ParseEncodingType(ReadOnlySpan<byte> query, out bool urlEncoding)
    {
        urlEncoding = false;
        Span<byte> text = stackalloc byte[8];
        if (!QueryString.TryGet(query, "encoding-type"u8, text, out int length))
        {
            // Absent, or too long to be "url".
            return length == 0 ? null : S3Errors.InvalidEncodingType;
        }

        urlEncoding = text[..length].SequenceEqual("url"u8);
        return urlEncoding ? null : S3Errors.InvalidEncodingType;
    }
}
