using System.Text;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>
/// What a signature covers is what is obeyed: every x-amz-* header must be signed (header-signed
/// and presigned alike), the credential scope must name the server's region, and a request carries
/// one credential, never two to choose from. Each refusal comes before any work is done.
/// </summary>
public sealed class SignedHeadersTests(SignedHeadersTests.Fixture fixture) : IClassFixture<SignedHeadersTests.Fixture>
{
    private string Host => fixture.Server.BaseUrl.Authority;

    [Fact]
    public async Task PresignedPutWithAnAddedCopySourceIsRefused()
    {
        string target = RawSigner.PresignedTarget("PUT", "/bucket/stolen", Host);
        RawResponse response = await SendAsync(Unsigned("PUT", target, 0, ("x-amz-copy-source", "bucket/src")));
        AssertHeadersNotSigned(response, "x-amz-copy-source");
        Assert.Equal(404, (await SendAsync(RawSigner.Head("HEAD", "/bucket/stolen", Host))).Status);
    }

    [Fact]
    public async Task PresignedUploadPartWithAnAddedCopySourceIsRefused()
    {
        string uploadId = (await SendAsync(RawSigner.Head("POST", "/bucket/big?uploads", Host))).XmlValue("UploadId");
        string target = RawSigner.PresignedTarget("PUT", "/bucket/big", Host, [("partNumber", "1"), ("uploadId", uploadId)]);
        RawResponse response = await SendAsync(Unsigned("PUT", target, 0, ("x-amz-copy-source", "bucket/src")));
        AssertHeadersNotSigned(response, "x-amz-copy-source");
        RawResponse parts = await SendAsync(RawSigner.Head("GET", $"/bucket/big?uploadId={uploadId}", Host));
        Assert.Empty(parts.XmlValues("Part"));
    }

    [Fact]
    public async Task PresignedPutWithAddedMetadataIsRefusedButAnUnsignedContentTypeIsTaken()
    {
        string target = RawSigner.PresignedTarget("PUT", "/bucket/meta", Host);
        RawResponse response = await SendAsync(Unsigned("PUT", target, 4, ("x-amz-meta-owner", "mallory"), ("x-amz-storage-class", "GLACIER")), "data");
        AssertHeadersNotSigned(response, "x-amz-meta-owner, x-amz-storage-class");
        Assert.Equal(404, (await SendAsync(RawSigner.Head("HEAD", "/bucket/meta", Host))).Status);

        // As on AWS: Content-Type is not an x-amz-* header and need not be signed.
        response = await SendAsync(Unsigned("PUT", target, 4, ("Content-Type", "text/plain")), "data");
        Assert.True(response.Status == 200, response.Describe());
    }

    [Fact]
    public async Task HeaderSignedRequestsWithUnsignedAmzHeadersAreRefused()
    {
        RawResponse response = await SendAsync(RawSigner.Head("PUT", "/bucket/copy", Host, unsigned: [("x-amz-copy-source", "bucket/src")]));
        AssertHeadersNotSigned(response, "x-amz-copy-source");
        Assert.Equal(404, (await SendAsync(RawSigner.Head("HEAD", "/bucket/copy", Host))).Status);

        response = await SendAsync(RawSigner.Head("PUT", "/bucket/meta2", Host, 4, signed: [("x-amz-meta-a", "1")], unsigned: [("X-Amz-Meta-B", "2")]), "data");
        AssertHeadersNotSigned(response, "x-amz-meta-b");
    }

    [Fact]
    public async Task ACredentialForAnotherRegionIsRefusedNamingTheServersRegion()
    {
        RawResponse response = await SendAsync(RawSigner.Head("GET", "/bucket/src", Host, region: "eu-west-1"));
        Assert.Equal(400, response.Status);
        Assert.Equal("AuthorizationHeaderMalformed", response.ErrorCode());
        Assert.Equal("us-east-1", response.XmlValue("Region"));
        Assert.Contains("'eu-west-1' is wrong; expecting 'us-east-1'", response.XmlValue("Message"));

        response = await SendAsync(Unsigned("GET", RawSigner.PresignedTarget("GET", "/bucket/src", Host, region: "eu-west-1"), 0));
        Assert.Equal(400, response.Status);
        Assert.Equal("AuthorizationQueryParametersError", response.ErrorCode());
        Assert.Equal("us-east-1", response.XmlValue("Region"));
    }

    [Fact]
    public async Task ServerInAnotherRegionTakesItsRegionOnly()
    {
        await using InProcessServer server = await InProcessServer.StartAsync(extraArguments: ["--region", "eu-central-1"]);
        var (exit, _, stderr) = await AwsCli.RunWarmAsync(server.BaseUrl, "s3api", "list-buckets");
        Assert.NotEqual(0, exit);
        Assert.Contains("AuthorizationHeaderMalformed", stderr);

        Assert.Equal(0, (await AwsCli.RunWarmAsync(server.BaseUrl, "--region", "eu-central-1", "s3api", "create-bucket", "--bucket", "regional",
            "--create-bucket-configuration", "LocationConstraint=eu-central-1")).ExitCode);
        (exit, string stdout, stderr) = await AwsCli.RunWarmAsync(server.BaseUrl, "--region", "eu-central-1", "s3api", "get-bucket-location", "--bucket", "regional");
        Assert.True(exit == 0, stderr);
        Assert.Contains("eu-central-1", stdout);
    }

    [Fact]
    public async Task OneCredentialPerRequest()
    {
        string head = RawSigner.Head("GET", "/bucket/src", Host);
        string authorization = head.Split("\r\n").Single(line => line.StartsWith("Authorization:", StringComparison.Ordinal));
        RawResponse response = await SendAsync(head.Replace("\r\n\r\n", $"\r\n{authorization.Replace("Signature=", "Signature=0", StringComparison.Ordinal)[..^1]}\r\n\r\n"));
        Assert.Equal(400, response.Status);
        Assert.Equal("InvalidArgument", response.ErrorCode());

        string presigned = RawSigner.PresignedTarget("GET", "/bucket/src", Host);
        response = await SendAsync(RawSigner.Head("GET", presigned, Host));
        Assert.Equal(400, response.Status);
        Assert.Equal("InvalidArgument", response.ErrorCode());

        response = await SendAsync(Unsigned("GET", presigned + "&X-Amz-Signature=" + new string('0', 64), 0));
        Assert.Equal(400, response.Status);
        Assert.Equal("AuthorizationQueryParametersError", response.ErrorCode());

        // The URL itself still works.
        response = await SendAsync(Unsigned("GET", presigned, 0));
        Assert.True(response.Status == 200, response.Describe());
        Assert.Equal("secret", response.BodyText);
    }

    private static void AssertHeadersNotSigned(RawResponse response, string headers)
    {
        Assert.True(response.Status == 403, response.Describe());
        Assert.Equal("AccessDenied", response.ErrorCode());
        Assert.Equal(headers, response.XmlValue("HeadersNotSigned"));
    }

    /// <summary>A request head with no signature of its own (a presigned target carries one).</summary>
    private string Unsigned(string method, string target, long contentLength, params (string Name, string Value)[] headers)
        => $"{method} {target} HTTP/1.1\r\nHost: {Host}\r\n{string.Concat(headers.Select(h => $"{h.Name}: {h.Value}\r\n"))}Content-Length: {contentLength}\r\n\r\n";

    private Task<RawResponse> SendAsync(string head, string body = "") => SendAsync(fixture.Server, head, body);

    private static async Task<RawResponse> SendAsync(TestServer server, string head, string body = "")
    {
        using RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: true);
        await client.SendAsync(head + body);
        return await client.ReadResponseAsync(head: head.StartsWith("HEAD", StringComparison.Ordinal));
    }

    /// <summary>One server with a bucket holding "src"; each test uses keys of its own.</summary>
    public sealed class Fixture() : SharedServer(tls: true, [])
    {
        protected override async Task PrepareAsync(InProcessServer server)
        {
            string host = server.BaseUrl.Authority;
            Assert.Equal(200, (await SendAsync(server, RawSigner.Head("PUT", "/bucket", host))).Status);
            Assert.Equal(200, (await SendAsync(server, RawSigner.Head("PUT", "/bucket/src", host, 6), "secret")).Status);
        }
    }
}
