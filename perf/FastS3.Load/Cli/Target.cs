using System.Net;

namespace FastS3.Load.Cli;

/// <summary>
/// One endpoint under test: <c>NAME=URL[,ACCESS_KEY,SECRET]</c> for S3 (keys default to FASTS3_ROOT_USER /
/// FASTS3_ROOT_PASSWORD, then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), or <c>NAME=static:URL</c> for a plain
/// file server (nginx) that is only ever sent anonymous GETs of that exact URL.
/// </summary>
internal sealed record Target(string Name, Uri Url, string AccessKey, string SecretKey, bool IsStatic)
{
    public bool IsHttps => Url.Scheme == Uri.UriSchemeHttps;

    public static Target Parse(string spec)
    {
        int eq = spec.IndexOf('=');
        if (eq <= 0)
        {
            throw new FormatException($"target '{spec}': expected NAME=URL[,KEY,SECRET] or NAME=static:URL");
        }

        string name = spec[..eq];
        string rest = spec[(eq + 1)..];
        if (rest.StartsWith("static:", StringComparison.Ordinal))
        {
            return new Target(name, LoopbackUrl(rest["static:".Length..]), "", "", IsStatic: true);
        }

        string[] parts = rest.Split(',');
        (string key, string secret) = parts.Length switch
        {
            1 => DefaultCredentials(),
            3 => (parts[1], parts[2]),
            _ => throw new FormatException($"target '{name}': give both ACCESS_KEY and SECRET, or neither"),
        };
        return new Target(name, LoopbackUrl(parts[0]), key, secret, IsStatic: false);
    }

    /// <summary>This tool generates real load: it refuses to aim at anything but this machine.</summary>
    private static Uri LoopbackUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new FormatException($"'{text}' is not an http:// or https:// URL");
        }

        bool loopback = url.Host == "localhost"
            || (IPAddress.TryParse(url.DnsSafeHost, out IPAddress? ip) && (ip.Equals(IPAddress.Loopback) || ip.Equals(IPAddress.IPv6Loopback)));
        return loopback ? url : throw new FormatException($"refusing '{url.Host}': only 127.0.0.1, ::1 and localhost may be load-tested");
    }

    private static (string, string) DefaultCredentials()
    {
        string? key = Environment.GetEnvironmentVariable("FASTS3_ROOT_USER") ?? Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        string? secret = Environment.GetEnvironmentVariable("FASTS3_ROOT_PASSWORD") ?? Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        return key is null || secret is null
            ? throw new FormatException("no credentials: give NAME=URL,KEY,SECRET or set FASTS3_ROOT_USER/FASTS3_ROOT_PASSWORD")
            : (key, secret);
    }
}
