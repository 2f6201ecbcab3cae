using System.Diagnostics;
using System.Net.Http;
using FastS3.Testing;
using FastS3.Upstream;

namespace FastS3.Tests.Upstream;

/// <summary>The upstream client's SigV4 signer, against AWS's published example and against botocore.</summary>
public sealed class UpstreamSignerTests
{
    /// <summary>
    /// botocore's S3 signer at a fixed time (its clock is patched), for one request given as method,
    /// URL (already encoded), payload hash and header lines.
    /// </summary>
    private const string Botocore = """
        import sys, datetime, warnings
        warnings.filterwarnings("ignore")
        import botocore.auth as auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        auth.get_current_datetime = lambda *a, **k: datetime.datetime(2026, 1, 2, 3, 4, 5)
        method, url, payload, access_key, secret_key = sys.argv[1:6]
        class Signer(auth.S3SigV4Auth):
            def payload(self, request):
                return payload
        req = AWSRequest(method=method, url=url, headers=dict(h.split(":", 1) for h in sys.argv[6:]))
        Signer(Credentials(access_key, secret_key), "s3", "us-east-1").add_auth(req)
        print(req.headers["Authorization"])
        """;

    /// <summary>"GET Object" with a Range header, from the S3 SigV4 documentation (header-based auth examples).</summary>
    [Fact]
    public void Matches_The_Published_Aws_Example()
    {
        var signer = new SigV4Signer("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1");
        string authorization = signer.Authorization("GET", "/test.txt", "",
            [("host", "examplebucket.s3.amazonaws.com"), ("range", "bytes=0-9"), ("x-amz-content-sha256", SigV4Signer.EmptyPayloadHash), ("x-amz-date", "20130524T000000Z")],
            SigV4Signer.EmptyPayloadHash, "20130524T000000Z");
        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", authorization);
    }

    public static TheoryData<string, string> Requests => new()
    {
        { "GET", "unicodé/日本語 +%?#~" },
        { "PUT", "a//b/trailing/" },
        { "POST", "k" },
        { "DELETE", "semi;colon=eq&amp" },
    };

    /// <summary>Whole requests as the client builds them (path, sorted query, metadata, unsigned and hashed payloads), signed by botocore too.</summary>
    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Matches_Botocore(string method, string key)
    {
        var signer = new SigV4Signer("AKIDEXAMPLE", "secret/key+x", "us-east-1");
        var request = new UpstreamRequest(new HttpMethod(method), UpstreamNames.Path("bkt", System.Text.Encoding.UTF8.GetBytes(key)))
        {
            Body = method == "POST" ? "<Delete><Object><Key>k</Key></Object></Delete>"u8.ToArray() : null,
        }
            .WithQuery("prefix", "a/b c+d")
            .WithQuery("list-type", "2")
            .WithQuery("uploads")
            .WithHeader("range", "bytes=0-9")
            .WithMetadata([new("Name", "value  with   spaces")]);
        using HttpContent? streamed = method == "PUT" ? new ByteArrayContent([]) : null;
        using HttpRequestMessage message = request.ToMessage(new Uri("https://127.0.0.1:7443"), "127.0.0.1:7443", signer, streamed, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));

        string payload = message.Headers.GetValues("x-amz-content-sha256").Single();
        string[] headers = [.. message.Headers.Where(h => h.Key.StartsWith("x-amz-meta", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("range", StringComparison.OrdinalIgnoreCase)).Select(h => $"{h.Key}:{h.Value.Single()}")];
        (int exit, string stdout, string stderr) = await Processes.RunAsync(new ProcessStartInfo("python3", ["-c", Botocore, method, message.RequestUri!.OriginalString, payload, "AKIDEXAMPLE", "secret/key+x", .. headers]));
        Assert.True(exit == 0, stderr);
        Assert.Equal(stdout.Trim(), message.Headers.GetValues("authorization").Single());
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("-dash")]
    [InlineData("a..b")]
    [InlineData("192.168.1.1")]
    [InlineData("under_score")]
    public void Rejects_Bad_Bucket_Names_Before_Any_Request(string bucket)
        => Assert.Throws<ArgumentException>(() => UpstreamNames.Path(bucket, "k"u8));

    [Fact]
    public void Rejects_Empty_And_Overlong_Keys_And_Encodes_The_Rest()
    {
        Assert.Throws<ArgumentException>(() => UpstreamNames.Path("bucket", []));
        Assert.Throws<ArgumentException>(() => UpstreamNames.Path("bucket", new byte[1025]));
        Assert.Equal("/bucket/a%20b/%2B%25%3F%23/%C3%A9/..%252F", UpstreamNames.Path("bucket", "a b/+%?#/é/..%2F"u8));
    }
}
