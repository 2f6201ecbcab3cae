using FastS3.Load.Client;
using FastS3.Load.Signing;

namespace FastS3.Load.Scenarios;

internal enum AuthMode
{
    /// <summary>Presigned URLs made once per object before the run: no signing work per request at all.</summary>
    Presigned,

    /// <summary>An Authorization header per request (canonical request, one SHA-256, one HMAC; the key is cached per day).</summary>
    Header,
}

/// <summary>
/// Makes the requests of one operation over a fixed set of keys. Everything that does not change between requests
/// (URIs, presigned query strings, header values) is built once here; per request only the message, its header
/// entries and, in header mode, the signature are new.
/// </summary>
internal sealed class RequestFactory
{
    private readonly HttpMethod _method;
    private readonly Uri[] _uris;
    private readonly string[] _paths;
    private readonly string _query;
    private readonly (string Name, string Value)[] _headers;
    private readonly SigningKey? _headerKey;
    private readonly string _payloadHash;

    private RequestFactory(HttpMethod method, Uri[] uris, string[] paths, string query, long bodySize, (string, string)[] headers, SigningKey? headerKey, string payloadHash)
    {
        _method = method;
        _uris = uris;
        _paths = paths;
        _query = query;
        BodySize = bodySize;
        _headers = headers;
        _headerKey = headerKey;
        _payloadHash = payloadHash;
    }

    /// <summary>Bytes each request uploads (0 unless PUT).</summary>
    public long BodySize { get; }

    public int Count => _uris.Length;

    /// <summary>Anonymous GETs of one URL (a static file server).</summary>
    public static RequestFactory Static(Uri url) => new(HttpMethod.Get, [url], [url.AbsolutePath], "", 0, [], null, "");

    /// <summary>
    /// Requests on <c>/bucket/key</c> for each key, or on <c>/bucket</c> when <paramref name="keys"/> is empty (LIST).
    /// <paramref name="headers"/> travel with every request and are signed (the SSE-C triple).
    /// </summary>
    public static RequestFactory S3(Cli.Target target, SigningKey key, AuthMode auth, HttpMethod method, string bucket, IReadOnlyList<string> keys,
        IReadOnlyList<(string Name, string Value)> query, long bodySize, (string Name, string Value)[] headers, TimeSpan validFor)
    {
        string[] paths = keys.Count == 0 ? [$"/{bucket}"] : keys.Select(k => $"/{bucket}/{UriEncoding.Path(k)}").ToArray();
        DateTime now = DateTime.UtcNow;
        if (auth == AuthMode.Presigned)
        {
            Uri[] presigned = paths.Select(p => Presigner.Presign(key, method.Method, target.Url, p, query, headers, now, validFor)).ToArray();
            return new RequestFactory(method, presigned, paths, "", bodySize, headers, null, "");
        }

        string canonicalQuery = Presigner.CanonicalQuery(query);
        string suffix = canonicalQuery.Length == 0 ? "" : "?" + canonicalQuery;
        Uri[] uris = paths.Select(p => new Uri($"{target.Url.Scheme}://{target.Url.Authority}{p}{suffix}")).ToArray();
        string payloadHash = target.IsHttps ? SigV4.UnsignedPayload : bodySize > 0 ? PatternContent.Sha256Hex(bodySize) : SigV4.EmptyPayloadSha256;
        return new RequestFactory(method, uris, paths, canonicalQuery, bodySize, headers, key, payloadHash);
    }

    public HttpRequestMessage Create(long index, WorkerStats? progress = null)
    {
        int i = (int)(index % _uris.Length);
        HttpRequestMessage request = HttpTransport.Request(_method, _uris[i]);
        if (BodySize > 0)
        {
            request.Content = new PatternContent(BodySize, progress);
        }

        if (_headerKey is not null)
        {
            HeaderSigner.Sign(request, _headerKey, _paths[i], _query, _payloadHash, _headers, DateTime.UtcNow);
        }
        else
        {
            foreach ((string name, string value) in _headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }
}
