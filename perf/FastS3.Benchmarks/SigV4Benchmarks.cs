using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Http;

namespace FastS3.Benchmarks;

/// <summary>
/// SigV4 verification on parsed requests: aws-cli's own signed GetObject and ListObjectsV2 (real
/// captures, Authorization header), AWS's published presigned-URL example, and one aws-chunked
/// chunk signature (AWS's published streaming example, its 1 KiB chunk). The signing key comes
/// from the verifier's cache, as for every request after the first of a day. Must allocate nothing.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class SigV4Benchmarks
{
    private const string ExampleAccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string ExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static readonly DateTimeOffset ExampleTime = new(2013, 5, 24, 0, 10, 0, TimeSpan.Zero);

    // From AWS's "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks" example.
    private static ReadOnlySpan<byte> ChunkPreviousSignature => "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"u8;
    private static ReadOnlySpan<byte> ChunkSignatureExpected => "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"u8;
    private static ReadOnlySpan<byte> EmptySha256Hex => "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"u8;

    private readonly SignatureContext _context = new();
    private readonly IncrementalHash _chunkHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _chunk = Encoding.ASCII.GetBytes(new string('a', 1024));
    private readonly byte[] _chunkKey = new byte[32];
    private readonly byte[] _provided = new byte[64];
    private readonly byte[] _chained = new byte[64];
    private SigV4Verifier? _awsCli;
    private SigV4Verifier? _example;
    private HttpRequest? _get;
    private HttpRequest? _list;
    private HttpRequest? _presigned;

    [GlobalSetup]
    public void Setup()
    {
        _awsCli = new SigV4Verifier(BenchmarkSigning.Keys, new FixedClock(BenchmarkSigning.Now));
        _example = new SigV4Verifier(new AccessKeys(ExampleAccessKey, ExampleSecret), new FixedClock(ExampleTime));
        _get = Parsed(Fixtures.Read("awscli-get-object-https.bin"));
        _list = Parsed(Fixtures.Read("awscli-list-objects-v2-https.bin"));
        _presigned = Parsed(Encoding.ASCII.GetBytes(
            "GET /test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404 HTTP/1.1\r\n" +
            "Host: examplebucket.s3.amazonaws.com\r\n\r\n"));

        SigningKeyCache.Derive(Encoding.ASCII.GetBytes(ExampleSecret), "20130524"u8, "us-east-1"u8, "s3"u8, _chunkKey);
        ChunkSignatureExpected.CopyTo(_provided);

        Expect(HeaderAuth_GetObject(), "aws-cli GetObject");
        Expect(HeaderAuth_ListObjectsV2(), "aws-cli ListObjectsV2");
        Expect(Presigned_Get(), "AWS presigned example");
        Expect(ChunkSignature_1KiB(), "AWS chunk-signature example");
    }

    [GlobalCleanup]
    public void Cleanup() => _chunkHash.Dispose();

    /// <summary>aws-cli GetObject with SSE-C headers and checksum mode: 7 signed headers, no query.</summary>
    [Benchmark(Baseline = true)]
    public bool HeaderAuth_GetObject() => _awsCli!.Verify(_get!, _context) is null;

    /// <summary>aws-cli ListObjectsV2: 3 signed headers, a 3-parameter query to decode, sort and re-encode.</summary>
    [Benchmark]
    public bool HeaderAuth_ListObjectsV2() => _awsCli!.Verify(_list!, _context) is null;

    /// <summary>The presigned URL's query parameters decoded, the expiry checked, the query canonicalized without the signature.</summary>
    [Benchmark]
    public bool Presigned_Get() => _example!.Verify(_presigned!, _context) is null;

    /// <summary>
    /// What <c>AwsChunkedReader</c> does per chunk once its data is in: SHA-256 of the data, the chunk
    /// string-to-sign chained from the previous signature, HMAC, constant-time compare.
    /// </summary>
    [Benchmark]
    public bool ChunkSignature_1KiB()
    {
        Span<byte> dataHash = stackalloc byte[32];
        Span<byte> dataHashHex = stackalloc byte[64];
        _chunkHash.AppendData(_chunk);
        _chunkHash.GetHashAndReset(dataHash);
        Hex.Encode(dataHash, dataHashHex);
        StringToSign.Sign(_chunkKey, "AWS4-HMAC-SHA256-PAYLOAD"u8, "20130524T000000Z"u8, "20130524/us-east-1/s3/aws4_request"u8,
            ChunkPreviousSignature, EmptySha256Hex, dataHashHex, _chained);
        return CryptographicOperations.FixedTimeEquals(_chained, _provided);
    }

    private static HttpRequest Parsed(byte[] request)
    {
        int headLength = request.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        HttpRequest parsed = BenchmarkSigning.NewRequest();
        parsed.Parse(request.AsMemory(0, headLength), new HttpLimits());
        return parsed;
    }

    private static void Expect(bool verified, string what)
    {
        if (!verified)
        {
            throw new InvalidOperationException($"benchmark self-check failed: {what} does not verify");
        }
    }
}
