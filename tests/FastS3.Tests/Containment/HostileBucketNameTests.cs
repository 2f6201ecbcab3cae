using System.Security.Cryptography;
using System.Text;
using FastS3.Testing;

namespace FastS3.Tests.Containment;

/// <summary>
/// Bucket names that are paths, from the Host header (virtual-host style), the request path and
/// x-amz-copy-source, sent signed to the real server as an attacker with valid credentials would,
/// against every bucket-level and object-level operation: each is 400 InvalidBucketName, and nothing
/// beside or inside DATA_DIR outside buckets/ is ever opened, created or deleted.
/// </summary>
[Trait("Store", "Disk")]
public sealed class HostileBucketNameTests : IAsyncLifetime
{
    private readonly PathSandbox _sandbox = new();
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync(dataDir: _sandbox.DataDir);
        Assert.Equal(0, (await AwsCli.RunWarmAsync(_server.BaseUrl, "s3api", "create-bucket", "--bucket", "real")).ExitCode);
        RawResponse put = await SendAsync("PUT", "/real/src", _server.BaseUrl.Authority, Encoding.ASCII.GetBytes("source"));
        Assert.Equal(200, put.Status);
        _sandbox.Watch();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _sandbox.Dispose();
    }

    /// <summary>Names that must never become a bucket, given as the Host's first label(s) before ".localhost".</summary>
    private IEnumerable<string> HostileHostBuckets() =>
    [
        "../../canary", "../decoy", "../../victim/buckets/vb", _sandbox.Canary, _sandbox.Decoy, "..", ".", "...", "%2e%2e",
        "..%2f..%2fcanary", "UPPER", "Real", "192.168.1.1", new string('a', 64), "a.-b", "a-.b", "a..b", ".fasts3", "-real", "real-",
        "xn--real", "real/..", "real\\..\\..",
    ];

    /// <summary>(method, what follows the bucket, body, extra signed headers) for every operation that names a bucket.</summary>
    private static IEnumerable<(string Method, string After, string Body, (string, string)[] Headers)> Operations()
    {
        const string Delete = "<Delete><Object><Key>k</Key></Object></Delete>";
        const string Complete = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"x\"</ETag></Part></CompleteMultipartUpload>";
        return
        [
            ("PUT", "", "", []),
            ("HEAD", "", "", []),
            ("GET", "", "", []),
            ("GET", "?list-type=2", "", []),
            ("GET", "?versions", "", []),
            ("GET", "?uploads", "", []),
            ("GET", "?location", "", []),
            ("DELETE", "", "", []),
            ("POST", "?delete", Delete, [("content-md5", Convert.ToBase64String(MD5.HashData(Encoding.ASCII.GetBytes(Delete))))]),
            ("PUT", "/k", "hello", []),
            ("GET", "/k", "", []),
            ("HEAD", "/k", "", []),
            ("DELETE", "/k", "", []),
            ("PUT", "/k", "", [("x-amz-copy-source", "real/src")]),
            ("POST", "/k?uploads", "", []),
            ("PUT", "/k?partNumber=1&uploadId=x", "part", []),
            ("PUT", "/k?partNumber=1&uploadId=x", "", [("x-amz-copy-source", "real/src")]),
            ("POST", "/k?uploadId=x", Complete, []),
            ("GET", "/k?uploadId=x", "", []),
            ("DELETE", "/k?uploadId=x", "", []),
        ];
    }

    [Fact]
    public async Task HostileHostNamesAreRefusedAndTouchNothing()
    {
        foreach (string bucket in HostileHostBuckets())
        {
            foreach ((string method, string rest, string body, (string, string)[] headers) in Operations())
            {
                string path = rest.StartsWith('/') ? rest : "/" + rest;
                RawResponse response = await SendAsync(method, path, bucket + ".localhost", Encoding.ASCII.GetBytes(body), headers);
                AssertInvalidBucketName(response, $"{method} {path} Host: {bucket}.localhost");
            }
        }

        Assert.Empty(_sandbox.TakeViolations());
        await AssertRealBucketStillServesAsync();
    }

    [Fact]
    public async Task HostilePathNamesAreRefusedAndTouchNothing()
    {
        string[] buckets = ["..", ".", "%2e%2e", "%2e%2e%2f%2e%2e%2fcanary", "..%2fdecoy", "UPPER", "a..b", "a.-b", ".fasts3", new string('b', 64), "192.168.1.1"];
        foreach (string bucket in buckets)
        {
            foreach ((string method, string rest, string body, (string, string)[] headers) in Operations())
            {
                string path = "/" + bucket + rest;
                RawResponse response = await SendAsync(method, path, _server.BaseUrl.Authority, Encoding.ASCII.GetBytes(body), headers);
                AssertInvalidBucketName(response, $"{method} {path}");
            }
        }

        Assert.Empty(_sandbox.TakeViolations());
        await AssertRealBucketStillServesAsync();
    }

    [Fact]
    public async Task HostileCopySourceBucketsAreRefusedAndTouchNothing()
    {
        string[] sources = ["../../canary/data/00/precious", "..%2F..%2Fcanary/created", "../decoy/created", "/../../canary/created", "%2e%2e/x", "UPPER/x", "a..b/x", ".fasts3/format"];
        RawResponse created = await SendAsync("POST", "/real/dst?uploads", _server.BaseUrl.Authority, []);
        string uploadId = created.XmlValue("UploadId");
        foreach (string source in sources)
        {
            foreach (string target in new[] { "/real/dst", $"/real/dst?partNumber=1&uploadId={uploadId}" })
            {
                RawResponse response = await SendAsync("PUT", target, _server.BaseUrl.Authority, [], ("x-amz-copy-source", source));
                AssertInvalidBucketName(response, $"PUT {target} x-amz-copy-source: {source}");
            }
        }

        Assert.Empty(_sandbox.TakeViolations());
        await AssertRealBucketStillServesAsync();
    }

    private static void AssertInvalidBucketName(RawResponse response, string request)
    {
        Assert.True(response.Status == 400, $"{request}: {response.Describe()}");
        if (response.Body.Length > 0)
        {
            Assert.True(response.ErrorCode() == "InvalidBucketName", $"{request}: {response.Describe()}");
        }
    }

    private async Task AssertRealBucketStillServesAsync()
    {
        RawResponse get = await SendAsync("GET", "/src", "real.localhost:" + _server.BaseUrl.Port, []);
        Assert.True(get.Status == 200, get.Describe());
        Assert.Equal("source", get.BodyText);
    }

    private async Task<RawResponse> SendAsync(string method, string path, string host, byte[] body, params (string, string)[] headers)
    {
        using RawClient client = await RawClient.ConnectAsync(_server.BaseUrl.Port, tls: true);
        string head = RawSigner.Head(method, path, host, body.Length, signed: headers);
        await client.SendAsync([.. Encoding.UTF8.GetBytes(head), .. body]);
        return await client.ReadResponseAsync(head: method == "HEAD");
    }
}
