using System.Text;

namespace FastS3.Api;

/// <summary>
/// Virtual-host-style addressing: a Host of "bucket.DOMAIN[:port]" names the bucket, for each
/// domain the server is configured with (default "localhost"). Anything else is path style.
/// </summary>
public sealed class VirtualHost
{
    private readonly byte[][] _suffixes;

    public VirtualHost(IEnumerable<string> domains)
        => _suffixes = [.. domains.Where(d => d.Length > 0).Select(d => Encoding.ASCII.GetBytes("." + d.ToLowerInvariant()))];

    /// <summary>The length of the bucket name at the start of <paramref name="host"/>, or 0 for path style.</summary>
    public int BucketLength(ReadOnlySpan<byte> host)
    {
        int colon = host.LastIndexOf((byte)':');
        if (colon >= 0 && host.IndexOf((byte)']') < colon)
        {
            host = host[..colon];
        }

        foreach (byte[] suffix in _suffixes)
        {
            if (host.Length > suffix.Length && System.Text.Ascii.EqualsIgnoreCase(host[^suffix.Length..], suffix))
            {
                return host.Length - suffix.Length;
            }
        }

        return 0;
    }
}
