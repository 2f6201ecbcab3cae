using System.Text.Unicode;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Crypto;
using FastS3.Http;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// Everything one S3 request needs besides the request itself: its route, id, verified signature,
/// decoded key, and the reusable body machinery. One per connection (kept in
/// <see cref="HttpRequest.ConnectionState"/>), reset by every request, so serving requests
/// allocates nothing for it.
/// </summary>
public sealed class S3Call : IDisposable
{
    /// <summary>S3's key limit, in UTF-8 bytes after percent-decoding.</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>The most a key (or a prefix, marker) can take percent-encoded: three bytes for each.</summary>
    public const int MaxEncodedKeyLength = MaxKeyLength * 3;

    private readonly byte[] _requestId = new byte[RequestId.Length];
    private readonly byte[] _key = new byte[MaxEncodedKeyLength];
    private readonly byte[] _customerKey = Secret(SseC.KeyLength);
    private readonly byte[] _customerKeyMd5 = Secret(SseC.KeyMd5Length);

    private readonly byte[] _copySourceKey = new byte[MaxEncodedKeyLength];
    private readonly byte[] _copyCustomerKey = Secret(SseC.KeyLength);
    private readonly byte[] _copyCustomerKeyMd5 = Secret(SseC.KeyMd5Length);
    private int _copySourceKeyLength;
    private int _keyLength;

    /// <summary>The slots of the data keys this request opens or draws; wiped when it ends.</summary>
    public DataKeys Keys { get; } = new();

    /// <summary>The decoded key of x-amz-copy-source (after <see cref="ParseCopySource"/>).</summary>
    public ReadOnlySpan<byte> CopySourceKey => _copySourceKey.AsSpan(0, _copySourceKeyLength);

    /// <summary><see cref="CopySourceKey"/> as memory, for the store's asynchronous lookups.</summary>
    public ReadOnlyMemory<byte> CopySourceKeyMemory => _copySourceKey.AsMemory(0, _copySourceKeyLength);

    /// <summary>True when the request carried a valid copy-source SSE-C triple.</summary>
    public bool HasCopySourceKey { get; private set; }

    internal ReadOnlySpan<byte> CopyCustomerKey => _copyCustomerKey;

    /// <summary>The same customer key on both sides of a copy (a rotation that changes nothing), compared in constant time.</summary>
    public bool CopySourceKeyEqualsCustomerKey => HasCopySourceKey && HasCustomerKey
        && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(_copyCustomerKey, _customerKey);

    /// <summary>
    /// Parses x-amz-copy-source ("[/]bucket/key[?versionId=null]", percent-encoded): null when it
    /// names a valid bucket and a UTF-8 key, else InvalidBucketName or InvalidArgument.
    /// </summary>
    public S3Error? ParseCopySource(out string bucket)
    {
        bucket = "";
        if (!Request.Headers.TryGetValue("x-amz-copy-source"u8, out ReadOnlySpan<byte> raw) || raw.Length > _copySourceKey.Length)
        {
            return S3Errors.InvalidCopySource;
        }

        int query = raw.IndexOf((byte)'?');
        if (query >= 0)
        {
            // Unversioned buckets have only the "null" version.
            if (!raw[(query + 1)..].SequenceEqual("versionId=null"u8))
            {
                return S3Errors.InvalidCopySource;
            }

            raw = raw[..query];
        }

        int length = UriEncoding.Decode(raw, _copySourceKey, plusIsSpace: false);
        ReadOnlySpan<byte> decoded = _copySourceKey.AsSpan(0, length);
        if (!decoded.IsEmpty && decoded[0] == (byte)'/')
        {
            decoded = decoded[1..];
        }

        int slash = decoded.IndexOf((byte)'/');
        if (slash <= 0 || slash == decoded.Length - 1 || decoded.Length - slash - 1 > MaxKeyLength)
        {
            return S3Errors.InvalidCopySource;
        }

        if (!Storage.BucketName.IsValid(decoded[..slash]))
        {
            return S3Errors.InvalidBucketName;
        }

        if (!Utf8.IsValid(decoded[(slash + 1)..]))
        {
            return S3Errors.InvalidCopySourceEncoding;
        }

        bucket = System.Text.Encoding.ASCII.GetString(decoded[..slash]);
        decoded[(slash + 1)..].CopyTo(_copySourceKey);
        _copySourceKeyLength = decoded.Length - slash - 1;
        return null;
    }

    /// <summary>Validates the copy-source SSE-C triple, if any.</summary>
    public S3Error? ParseCopySourceKey()
    {
        S3Error? error = SseC.Parse(Request.Headers, copySource: true, _copyCustomerKey, _copyCustomerKeyMd5, out bool present);
        HasCopySourceKey = present && error is null;
        return error;
    }

    public HttpRequest Request { get; private set; } = null!;

    public HttpResponse Response { get; private set; } = null!;

    public S3Route Route { get; private set; }

    /// <summary>The connection's access-log line, made on first use.</summary>
    public AccessLogLine AccessLogLine => _accessLogLine ??= new AccessLogLine();

    private AccessLogLine? _accessLogLine;

    /// <summary>The S3 error this request was answered with, if any.</summary>
    public S3Error? Error { get; private set; }

    /// <summary>The status the client gets: the response's, or the transport's answer to an exception that escaped.</summary>
    public int Status => _escaped ? Error!.Status : Response.StatusCode;

    private bool _escaped;

    /// <summary>The whole object's size, for the access log, once GET, HEAD or PUT knows it; -1 before.</summary>
    public long ObjectSize { get; set; }

    public ReadOnlySpan<byte> RequestIdBytes => _requestId;

    public SignatureContext Signature { get; } = new();

    public AwsChunkedReader Chunked { get; } = new();

    public ChecksumRequest Checksums { get; } = new();

    public BodyHasher Hasher { get; } = new();

    /// <summary>The bucket name from the path or the Host header (bucket names need no decoding).</summary>
    public ReadOnlySpan<byte> BucketName => (Route.BucketInHost ? Request.Host : Request.Path).Slice(Route.BucketStart, Route.BucketLength);

    /// <summary>The object key, percent-decoded (valid after <see cref="ResolveObject"/>).</summary>
    public ReadOnlySpan<byte> Key => _key.AsSpan(0, _keyLength);

    /// <summary><see cref="Key"/> as memory, for the store's asynchronous lookups.</summary>
    public ReadOnlyMemory<byte> KeyMemory => _key.AsMemory(0, _keyLength);

    /// <summary>The S3 layer's settings (the server-wide default encryption among them).</summary>
    public S3Options Options { get; internal set; } = new();

    /// <summary>The server's KMS (SSE-S3 and SSE-KMS keys); null when it runs without one.</summary>
    public Kms.BuiltInKms? Kms { get; internal set; }

    /// <summary>What the request's x-amz-server-side-encryption headers ask for (after <see cref="ParseServerSide"/>).</summary>
    public ServerSideRequest ServerSide { get; private set; }

    /// <summary>Reads the request's SSE-S3/SSE-KMS headers; beside an SSE-C key they are the two-encryptions error.</summary>
    public S3Error? ParseServerSide()
    {
        S3Error? error = ServerSideEncryption.Parse(Request.Headers, out ServerSideRequest request);
        ServerSide = request;
        return error is null && request.IsPresent && HasCustomerKey ? S3Errors.SseCIncompatible : error;
    }

    /// <summary>True when the request carried a valid SSE-C triple (after <see cref="ParseCustomerKey"/>).</summary>
    public bool HasCustomerKey { get; private set; }

    /// <summary>The client's AES-256 key; zeroed when the request ends.</summary>
    public ReadOnlySpan<byte> CustomerKey => _customerKey;

    public ReadOnlySpan<byte> CustomerKeyMd5 => _customerKeyMd5;

    /// <summary>Validates the request's SSE-C triple, if any, keeping the key for this request only.</summary>
    public S3Error? ParseCustomerKey()
    {
        S3Error? error = SseC.Parse(Request.Headers, copySource: false, _customerKey, _customerKeyMd5, out bool present);
        HasCustomerKey = present && error is null;
        return error;
    }

    /// <summary>Wipes key material; called when every request ends, whatever happened.</summary>
    public void ForgetKeys()
    {
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_customerKey);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_customerKeyMd5);
        Keys.WipeAll();
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_copyCustomerKey);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_copyCustomerKeyMd5);
        HasCopySourceKey = false;
        HasCustomerKey = false;
    }

    /// <summary>Key storage on the pinned heap: the GC never moves it, so no stale copy survives the wipe.</summary>
    private static byte[] Secret(int length) => GC.AllocateArray<byte>(length, pinned: true);

    public static S3Call For(HttpRequest request, HttpResponse response)
    {
        var call = request.ConnectionState as S3Call;
        if (call is null)
        {
            call = new S3Call();
            request.ConnectionState = call;
        }

        call.Request = request;
        call.Response = response;
        call._keyLength = 0;
        call.Error = null;
        call._escaped = false;
        call.ObjectSize = -1;
        call.Signature.Authenticated = false;
        call.Checksums.Reset();
        call.ServerSide = default;
        RequestId.Next(call._requestId);
        return call;
    }

    public void SetRoute(S3Route route) => Route = route;

    /// <summary>
    /// The request's bucket, with its object key decoded; otherwise the key's error (checked first:
    /// such a key names nothing in any bucket), NoSuchBucket, or an invalid version id. The bucket is
    /// set only when the answer is null.
    /// </summary>
    public S3Error? ResolveObject(Store store, out Bucket bucket)
    {
        bucket = null!;
        if (DecodeKey() is { } invalidKey)
        {
            return invalidKey;
        }

        Bucket? found = store.FindBucket(BucketName);
        if (found is null)
        {
            return S3Errors.NoSuchBucket;
        }

        bucket = found;
        return CheckVersionId(Request.Query);
    }

    /// <summary>
    /// Buckets are unversioned: an object's only version is "null", as listings report it. Any other
    /// versionId is refused, never taken to mean the current object (which a DELETE would remove).
    /// </summary>
    private static S3Error? CheckVersionId(ReadOnlySpan<byte> query)
    {
        Span<byte> value = stackalloc byte[4];
        bool present = QueryString.TryGet(query, "versionId"u8, value, out int length);
        return (!present && length == 0) || IsNullVersion(value[..Math.Max(length, 0)]) ? null : S3Errors.InvalidVersionId;
    }

    /// <summary>The version id of every object in an unversioned bucket.</summary>
    internal static bool IsNullVersion(ReadOnlySpan<byte> versionId) => versionId.SequenceEqual("null"u8);

    /// <summary>Decodes the key from the path: KeyTooLong when it is longer than S3 allows, InvalidURI when it is not UTF-8 (S3 keys are Unicode text).</summary>
    private S3Error? DecodeKey()
    {
        ReadOnlySpan<byte> raw = Request.Path.Slice(Route.KeyStart, Route.KeyLength);
        if (raw.Length > _key.Length)
        {
            return S3Errors.KeyTooLong;
        }

        _keyLength = UriEncoding.Decode(raw, _key, plusIsSpace: false);
        return _keyLength > MaxKeyLength ? S3Errors.KeyTooLong : Utf8.IsValid(Key) ? null : S3Errors.InvalidUri;
    }

    /// <summary>
    /// Records what the transport answers for an exception that escapes the request: an HTTP fault
    /// with its own status, anything else 500 (or a cut connection mid-response), so the metrics
    /// and the access log count that, not the 200 the response held when it failed.
    /// </summary>
    public void Escaped(Exception exception)
    {
        Error = exception is BadHttpRequestException bad && !Response.HasStarted ? TransportErrors.For(bad.Reason) : S3Errors.InternalError;
        _escaped = true;
    }

    /// <summary>Answers with an S3 error document (status and headers only for HEAD).</summary>
    public void Fail(S3Error error)
    {
        Error = error;
        ErrorResponse.Write(Response, error, Request.Path, _requestId);
    }

    public void Dispose()
    {
        Chunked.Dispose();
        Hasher.Dispose();
    }
}
