using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastS3.Api;
using FastS3.Operations;
using FastS3.Storage;
using FastS3.Storage.Disk;

namespace FastS3.Benchmarks;

/// <summary>
/// A 4 KiB GetObject end to end, in process: head scan and parse, routing, SigV4, index lookup,
/// the object's bytes (at this size kept inline in the index record, no data file), for SSE-C and SSE-S3
/// the key checks and segment decryption, response head and body, on one keep-alive connection over in-memory pipes (<see cref="ReplayConnection"/>), against
/// a real <see cref="Store"/> in a temp directory. The request has aws-cli's GetObject headers and
/// a signature made once in set-up for a fixed clock. No socket, no TLS: what the server itself
/// costs per small GET, and what it allocates; with <see cref="AccessLog"/>, also each request's
/// access-log line, written by the log's own thread to a file in the temp directory.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class SmallGetPipelineBenchmarks
{
    private const int ObjectSize = 4096;
    private const string CustomerKey = "MzJieXRlc2xvbmdzZWNyZXRrZXltdXN0cHJvdmlkZWQ=";
    private const string CustomerKeyMd5 = "7PpPLAK26ONlVUGOWlusfg==";
    private const string UserAgent = "User-Agent: aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v669 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/g,N,Z,b,D cfg/retry-mode#legacy botocore/1.43.11";

    private static readonly string[] SseCHeaders =
    [
        "x-amz-server-side-encryption-customer-algorithm: AES256",
        $"x-amz-server-side-encryption-customer-key: {CustomerKey}",
        $"x-amz-server-side-encryption-customer-key-MD5: {CustomerKeyMd5}",
    ];

    private readonly QuietLog _log = new();
    private string _directory = "";
    private Store? _store;
    private ReplayConnection? _plain;
    private ReplayConnection? _sseC;
    private ReplayConnection? _overrides;
    private ReplayConnection? _sseS3;
    private Kms.MasterKey? _masterKey;
    private AccessLogFile? _accessLog;

    [Params(false, true)]
    public bool AccessLog { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("fasts3-bench-get-").FullName;
        _store = DiskStore.Open(_directory, new DiskStoreOptions(), _log.Warning);
        _accessLog = AccessLog ? new AccessLogFile(Path.Combine(_directory, "access.log"), _log) : null;
        _masterKey = Kms.MasterKey.Generate("bench");
        Kms.BuiltInKms kms = Kms.BuiltInKms.Open(_store, _masterKey, previous: null, "us-east-1", _ => { });
        var app = new S3Application(_store, BenchmarkSigning.Keys, new FixedClock(BenchmarkSigning.Now), _log, new VirtualHost(["localhost"]), accessLog: _accessLog?.Queue, kms: kms);

        // SSE-C is refused over plain HTTP, so the SSE-C connection says it is TLS (no TLS runs).
        _plain = new ReplayConnection(app, isTls: false);
        _sseC = new ReplayConnection(app, isTls: true);
        _overrides = new ReplayConnection(app, isTls: false);
        _sseS3 = new ReplayConnection(app, isTls: false);

        byte[] data = new byte[ObjectSize];
        new Random(1).NextBytes(data);
        Expect(_plain, Request("PUT", "/bench", []), "200 OK", "CreateBucket");
        Expect(_plain, Request("PUT", "/bench/small", [], data), "200 OK", "PutObject");
        Expect(_sseC, Request("PUT", "/bench/small-ssec", SseCHeaders, data), "200 OK", "PutObject SSE-C");
        Expect(_sseS3, Request("PUT", "/bench/small-sses3", ["x-amz-server-side-encryption: AES256"], data), "200 OK", "PutObject SSE-S3");

        _plain.Load(Request("GET", "/bench/small", []));
        _sseC.Load(Request("GET", "/bench/small-ssec", SseCHeaders));
        _sseS3.Load(Request("GET", "/bench/small-sses3", []));
        _overrides.Load(Request("GET", "/bench/small?response-content-disposition=attachment%3B%20filename%3D%22small.bin%22&response-content-type=application%2Foctet-stream", []));
        CheckGet(_plain, data);
        CheckGet(_sseC, data);
        CheckGet(_sseS3, data);
        CheckGet(_overrides, data, "Content-Disposition: attachment; filename=\"small.bin\"");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain?.Dispose();
        _sseC?.Dispose();
        _overrides?.Dispose();
        _sseS3?.Dispose();
        _accessLog?.Dispose();
        _store?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _masterKey?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public void GetObject4KiB() => _plain!.Run();

    [Benchmark]
    public void GetObject4KiB_SseC() => _sseC!.Run();

    /// <summary>The default encryption's read: the KMS opens the object key (a cached bucket key, one unwrap).</summary>
    [Benchmark]
    public void GetObject4KiB_SseS3() => _sseS3!.Run();

    /// <summary>A presigned download link's GET: response-content-disposition and response-content-type replace the stored headers.</summary>
    [Benchmark]
    public void GetObject4KiB_ResponseOverrides() => _overrides!.Run();

    /// <summary>aws-cli's GetObject/PutObject header set, signed for the fixed clock; a body goes with a hex payload hash.</summary>
    private static byte[] Request(string method, string target, string[] extra, byte[]? body = null)
    {
        List<string> headers = ["Host: localhost:9443", "Accept-Encoding: identity", .. extra];
        if (method == "GET")
        {
            headers.Add("x-amz-checksum-mode: ENABLED");
        }

        if (body is not null)
        {
            headers.Add($"Content-Length: {body.Length}");
        }

        headers.AddRange(
        [
            UserAgent,
            $"X-Amz-Date: {BenchmarkSigning.AmzDate}",
            $"X-Amz-Content-SHA256: {(body is null ? BenchmarkSigning.EmptySha256 : Convert.ToHexStringLower(SHA256.HashData(body)))}",
            "amz-sdk-invocation-id: d02fe890-891c-4399-85f6-f49fa7eda902",
            "amz-sdk-request: attempt=1",
        ]);
        return BenchmarkSigning.Sign(method, target, headers, body);
    }

    private void Expect(ReplayConnection connection, byte[] request, string status, string what)
    {
        connection.Load(request);
        string response = Encoding.Latin1.GetString(connection.RunCaptured());
        if (!response.StartsWith($"HTTP/1.1 {status}\r\n", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"benchmark self-check failed: {what}: {response} {_log.LastError}");
        }
    }

    private void CheckGet(ReplayConnection connection, byte[] data, string expectedHeader = "x-amz-checksum-crc64nvme")
    {
        // Twice: the second answer must be as good as the first on the reused connection.
        for (int i = 0; i < 2; i++)
        {
            byte[] response = connection.RunCaptured();
            string text = Encoding.Latin1.GetString(response);
            if (!text.StartsWith("HTTP/1.1 200 OK\r\n", StringComparison.Ordinal) || !text.Contains(expectedHeader, StringComparison.OrdinalIgnoreCase)
                || !response.AsSpan(response.Length - ObjectSize).SequenceEqual(data))
            {
                throw new InvalidOperationException($"benchmark self-check failed: GetObject: {text} {_log.LastError}");
            }
        }
    }
}
