using System.Globalization;
using FastS3.Load.Signing;

namespace FastS3.Testing;

/// <summary>
/// SigV4 in process for hand-made requests with any Host, region, query or unsigned extras: the load
/// tool's signer (an implementation apart from the server's), fast enough to sign every request of
/// a fuzz run, and willing to sign what botocore would refuse to build.
/// </summary>
public static class RawSigner
{
    public const string UnsignedPayload = SigV4.UnsignedPayload;

    /// <summary>
    /// A whole request head, signed with an Authorization header: Host and <paramref name="signed"/>
    /// are signed, <paramref name="unsigned"/> are sent as well but left out of the signature.
    /// <paramref name="pathAndQuery"/> goes on the request line exactly as given. Header values are
    /// signed as the bytes the head is sent in: UTF-8, or <paramref name="wire"/> (Latin-1 for
    /// <see cref="RawClient.SendAsync(string)"/>, which puts any byte in a value).
    /// </summary>
    public static string Head(string method, string pathAndQuery, string host, long contentLength = 0,
        IEnumerable<(string Name, string Value)>? signed = null, IEnumerable<(string Name, string Value)>? unsigned = null,
        string region = "us-east-1", string payloadHash = UnsignedPayload, DateTime? now = null, System.Text.Encoding? wire = null)
    {
        string amzDate = SigV4.AmzDate(now ?? DateTime.UtcNow);
        var headers = new List<(string Name, string Value)> { ("host", host), ("x-amz-content-sha256", payloadHash), ("x-amz-date", amzDate) };
        headers.AddRange((signed ?? []).Select(h => (h.Name.ToLowerInvariant(), h.Value.Trim())));
        headers.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        string signedHeaders = SigV4.SignedHeaderList(headers);
        (string path, string query) = Split(pathAndQuery);
        var key = new SigningKey(AwsCli.AccessKey, AwsCli.SecretKey, region);
        string signature = SigV4.Signature(key, amzDate, SigV4.CanonicalRequest(method, CanonicalPath(path), CanonicalQuery(query), headers, signedHeaders, payloadHash), wire);

        var head = new System.Text.StringBuilder($"{method} {pathAndQuery} HTTP/1.1\r\n");
        foreach ((string name, string value) in headers.Concat(unsigned ?? []))
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        return head.Append(CultureInfo.InvariantCulture, $"Authorization: {SigV4.Algorithm} Credential={key.AccessKey}/{key.Scope(amzDate[..8])}, SignedHeaders={signedHeaders}, Signature={signature}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {contentLength}\r\n\r\n").ToString();
    }

    /// <summary>
    /// Sends a request <see cref="Head"/> signs (Host and <paramref name="signed"/>) on a TLS connection
    /// of its own and reads the answer. The head goes in Latin-1, so a header value can carry any byte
    /// (a char up to U+00FF is that byte); the body in UTF-8.
    /// </summary>
    public static async Task<RawResponse> SendAsync(TestServer server, string method, string target, string body = "", params (string Name, string Value)[] signed)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(body);
        using RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: true);
        await client.SendAsync([.. System.Text.Encoding.Latin1.GetBytes(Head(method, target, server.BaseUrl.Authority, bytes.Length, signed, wire: System.Text.Encoding.Latin1)), .. bytes]);
        return await client.ReadResponseAsync(head: method == "HEAD");
    }

    /// <summary>
    /// A presigned request target (path and query with X-Amz-Signature) for <paramref name="host"/>;
    /// <paramref name="signed"/> are the headers the holder must send with exactly these values.
    /// </summary>
    public static string PresignedTarget(string method, string path, string host, IEnumerable<(string Name, string Value)>? query = null,
        IEnumerable<(string Name, string Value)>? signed = null, string region = "us-east-1", int expiresSeconds = 600)
    {
        // The load tool's presigner takes the endpoint as a Uri; a Uri with this host is all it reads.
        var endpoint = new Uri($"https://{host}");
        var key = new SigningKey(AwsCli.AccessKey, AwsCli.SecretKey, region);
        Uri url = Presigner.Presign(key, method, endpoint, CanonicalPath(path), [.. query ?? []], [.. signed ?? []], DateTime.UtcNow, TimeSpan.FromSeconds(expiresSeconds));
        return url.PathAndQuery;
    }

    private static (string Path, string Query) Split(string pathAndQuery)
    {
        int mark = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        return mark < 0 ? (pathAndQuery, "") : (pathAndQuery[..mark], pathAndQuery[(mark + 1)..]);
    }

    // As S3 canonicalizes: the path decoded once and encoded again, '/' kept, no dot-segment removal.
    private static string CanonicalPath(string rawPath) => UriEncoding.Path(Uri.UnescapeDataString(rawPath));

    private static string CanonicalQuery(string rawQuery) => Presigner.CanonicalQuery(rawQuery
        .Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2))
        .Select(parts => (Decode(parts[0]), parts.Length > 1 ? Decode(parts[1]) : "")));

    private static string Decode(string component) => Uri.UnescapeDataString(component.Replace('+', ' '));
}
