using System.Text;
using FastS3.Basics;

namespace FastS3.Upstream;

/// <summary>
/// Checks bucket names and keys again where they become a request path: whatever the layers above
/// let through, nothing malformed reaches the upstream, and no name can step outside its bucket.
/// </summary>
internal static class UpstreamNames
{
    public const int MaxKeyBytes = 1024;

    /// <summary>"/bucket", or "/bucket/key" with every key byte but unreserved ones and '/' percent-encoded.</summary>
    public static string Path(string bucket, ReadOnlySpan<byte> key)
    {
        CheckBucket(bucket);
        CheckKey(key);
        Span<byte> encoded = key.Length <= 256 ? stackalloc byte[UriEncoding.MaxEncodedLength(key.Length)] : new byte[UriEncoding.MaxEncodedLength(key.Length)];
        int length = UriEncoding.Encode(key, encoded, keepSlash: true);
        return "/" + bucket + "/" + Encoding.ASCII.GetString(encoded[..length]);
    }

    public static string Path(string bucket)
    {
        CheckBucket(bucket);
        return "/" + bucket;
    }

    /// <summary>A query or copy-source component: every byte but unreserved ones encoded.</summary>
    public static string Encode(ReadOnlySpan<byte> value, bool keepSlash = false)
    {
        Span<byte> encoded = value.Length <= 256 ? stackalloc byte[UriEncoding.MaxEncodedLength(value.Length)] : new byte[UriEncoding.MaxEncodedLength(value.Length)];
        return Encoding.ASCII.GetString(encoded[..UriEncoding.Encode(value, encoded, keepSlash)]);
    }

    public static void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length is 0 or > MaxKeyBytes)
        {
            throw new ArgumentException($"An object key is 1 to {MaxKeyBytes} bytes, not {key.Length}.", nameof(key));
        }
    }

    /// <summary>S3's rules for new buckets: 3-63 of a-z 0-9 . -, alphanumeric at both ends, no "..", not an IPv4 address.</summary>
    public static void CheckBucket(string bucket)
    {
        bool valid = bucket.Length is >= 3 and <= 63 && IsAlphanumeric(bucket[0]) && IsAlphanumeric(bucket[^1])
            && bucket.All(c => IsAlphanumeric(c) || c is '.' or '-') && !bucket.Contains("..", StringComparison.Ordinal)
            && !System.Net.IPAddress.TryParse(bucket, out _);
        if (!valid)
        {
            throw new ArgumentException($"Not a valid bucket name: '{bucket}'.", nameof(bucket));
        }
    }

    private static bool IsAlphanumeric(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
