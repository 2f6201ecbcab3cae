using System.Net.Http;
using System.Text;

namespace FastS3.Upstream;

/// <summary>
/// One S3 request before it is sent: kept apart from HttpRequestMessage because a message can be
/// sent only once, and a retry needs a freshly dated signature anyway.
/// </summary>
internal sealed class UpstreamRequest(HttpMethod method, string path)
{
    public HttpMethod Method { get; } = method;

    /// <summary>Already URI-encoded (<see cref="UpstreamNames.Path(string, ReadOnlySpan{byte})"/>): sent and signed as is.</summary>
    public string Path { get; } = path;

    /// <summary>URI-encoded names and values, in the order added (sorted when sent).</summary>
    public List<(string Name, string Value)> Query { get; } = [];

    /// <summary>Lower-case names; all are signed.</summary>
    public List<(string Name, string Value)> Headers { get; } = [];

    /// <summary>A small body (XML), signed by its hash; streamed bodies come as content and go unsigned.</summary>
    public byte[]? Body { get; init; }

    public UpstreamRequest WithQuery(string name, string? value = "")
        => value is null ? this : WithQuery(name, Encoding.UTF8.GetBytes(value));

    public UpstreamRequest WithQuery(string name, ReadOnlySpan<byte> value)
    {
        Query.Add((UpstreamNames.Encode(Encoding.UTF8.GetBytes(name)), UpstreamNames.Encode(value)));
        return this;
    }

    public UpstreamRequest WithHeader(string name, string? value)
    {
        if (value is not null)
        {
            if (value.Any(c => c is < ' ' or > '~'))
            {
                throw new ArgumentException($"The value of {name} must be printable ASCII.", nameof(value));
            }

            // SigV4 would sign repeated names as one comma-joined line; nothing here needs them.
            if (Headers.Exists(h => h.Name == name))
            {
                throw new ArgumentException($"{name} is given twice.", nameof(name));
            }

            Headers.Add((name, value));
        }

        return this;
    }

    public UpstreamRequest WithMetadata(IEnumerable<KeyValuePair<string, string>>? metadata)
    {
        foreach ((string name, string value) in metadata ?? [])
        {
            if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            {
                throw new ArgumentException($"Not a metadata name that can travel as a header: '{name}'.", nameof(metadata));
            }

            WithHeader("x-amz-meta-" + name.ToLowerInvariant(), value);
        }

        return this;
    }

    /// <summary>A signed message to <paramref name="origin"/>; <paramref name="content"/> (streamed) or <see cref="Body"/>.</summary>
    public HttpRequestMessage ToMessage(Uri origin, string host, SigV4Signer signer, HttpContent? content, DateTime now)
    {
        string query = string.Join('&', Query.OrderBy(q => q.Name, StringComparer.Ordinal).ThenBy(q => q.Value, StringComparer.Ordinal)
            .Select(q => q.Name + "=" + q.Value));

        string payloadHash = content is not null ? SigV4Signer.UnsignedPayload
            : Body is { Length: > 0 } ? SigV4Signer.PayloadHash(Body) : SigV4Signer.EmptyPayloadHash;
        string amzDate = SigV4Signer.AmzDate(now);
        List<(string Name, string Value)> signed = [.. Headers, ("host", host), ("x-amz-date", amzDate), ("x-amz-content-sha256", payloadHash)];
        signed.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        // Canonicalisation off: Uri would otherwise unescape or fold a key's "%2F", "./" or "../".
        var uri = new Uri(origin.GetLeftPart(UriPartial.Authority) + Path + (query.Length > 0 ? "?" + query : ""),
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var message = new HttpRequestMessage(Method, uri) { Version = System.Net.HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        message.Headers.Host = host;
        message.Content = content ?? (Body is not null ? new ByteArrayContent(Body) : null);
        foreach ((string name, string value) in signed)
        {
            if (name == "host")
            {
                continue;
            }

            if (name is "content-type" or "content-md5")
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        message.Headers.TryAddWithoutValidation("authorization", signer.Authorization(Method.Method, Path, query, signed, payloadHash, amzDate));
        return message;
    }

    /// <summary>The value for Content-MD5, which DeleteObjects requires.</summary>
    public static string ContentMd5(byte[] body) => Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(body));
}
