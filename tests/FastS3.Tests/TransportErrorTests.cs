using System.Diagnostics;
using System.Security.Cryptography;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>
/// What the HTTP transport answers by itself (malformed requests, limits, timeouts) reaches S3
/// clients as any S3 error does: an x-amz-request-id, an &lt;Error&gt; document with the code AWS S3
/// uses for the fault, and a closed connection.
/// </summary>
public sealed class TransportErrorTests(TransportErrorTests.Fixture fixture) : IClassFixture<TransportErrorTests.Fixture>
{
    private const string Host = "Host: 127.0.0.1\r\n";

    public static TheoryData<string, string, int, string> Malformed => new()
    {
        { "not HTTP at all", "\u0001\u0002 not http\r\n\r\n", 400, "BadRequest" },
        { "no Host", "GET /bucket/probe HTTP/1.1\r\n\r\n", 400, "BadRequest" },
        { "bad Content-Length", $"PUT /bucket/k HTTP/1.1\r\n{Host}Content-Length: 1x\r\n\r\n", 400, "BadRequest" },
        { "absolute-form target", $"GET http://127.0.0.1/bucket/probe HTTP/1.1\r\n{Host}\r\n", 400, "InvalidURI" },
        { "request line too long", $"GET /bucket/{new string('k', 9000)} HTTP/1.1\r\n{Host}\r\n", 400, "InvalidURI" },
        { "header section too large", $"GET /bucket/probe HTTP/1.1\r\n{Host}X-Big: {new string('v', 70_000)}\r\n\r\n", 400, "RequestHeaderSectionTooLarge" },
        { "101 headers", $"GET /bucket/probe HTTP/1.1\r\n{Host}{string.Concat(Enumerable.Range(0, 100).Select(i => $"X-H-{i}: {i}\r\n"))}\r\n", 400, "RequestHeaderSectionTooLarge" },
        { "gzip transfer coding", $"PUT /bucket/k HTTP/1.1\r\n{Host}Transfer-Encoding: gzip\r\n\r\n", 501, "NotImplemented" },
        { "HTTP/2.0 request line", $"GET /bucket/probe HTTP/2.0\r\n{Host}\r\n", 505, "HttpVersionNotSupported" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task MalformedRequestsGetS3Errors(string what, string request, int status, string code)
    {
        using RawClient client = await RawClient.ConnectAsync(fixture.Server.BaseUrl.Port);
        await client.SendAsync(request);
        RawResponse response = await client.ReadResponseAsync();
        AssertS3Error(response, status, code, what);
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)), what);
    }

    [Fact]
    public async Task MalformedHeadRequestGetsTheHeadersWithoutTheDocument()
    {
        using RawClient client = await RawClient.ConnectAsync(fixture.Server.BaseUrl.Port);
        await client.SendAsync($"HEAD /bucket/probe HTTP/1.1\r\n{Host}Content-Length: -1\r\n\r\n");
        RawResponse response = await client.ReadResponseAsync(head: true);
        Assert.Equal(400, response.Status);
        Assert.Matches("^[0-9A-F]{16}$", response.Headers["x-amz-request-id"]);
        Assert.NotEqual("0", response.Headers["Content-Length"]);
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task TrickledHeadGetsRequestTimeout()
    {
        using RawClient client = await RawClient.ConnectAsync(fixture.Server.BaseUrl.Port);
        var clock = Stopwatch.StartNew();
        await client.SendAsync($"GET /bucket/probe HTTP/1.1\r\n{Host}X-Slow: ");
        for (int i = 0; i < 3; i++)
        {
            await Task.Delay(500);
            await client.SendAsync("a");
        }

        RawResponse response = await client.ReadResponseAsync(timeoutSeconds: 10);
        AssertS3Error(response, 400, "RequestTimeout", "trickled head");
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 5);
    }

    [Fact]
    public async Task StalledBodyGetsRequestTimeoutAndLeavesNothing()
    {
        InProcessServer server = fixture.Server;
        string signed = await PersistentSigner.SignAsync("PUT", new Uri(server.BaseUrl, "/bucket/stalled"), null);
        using RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port);
        await client.SendAsync([.. System.Text.Encoding.ASCII.GetBytes($"PUT /bucket/stalled HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: 1000000\r\n{signed}\r\n"), .. RandomNumberGenerator.GetBytes(100_000)]);

        RawResponse response = await client.ReadResponseAsync(timeoutSeconds: 10);
        AssertS3Error(response, 400, "RequestTimeout", "stalled body");
        Assert.Equal("/bucket/stalled", response.XmlValue("Resource"));
        Assert.Empty(server.Stored.UnfinishedWrites());
        Assert.Equal(404, (await SignedRequests.SendAsync(server, "HEAD", "/bucket/stalled", [])).Status);
    }

    private static void AssertS3Error(RawResponse response, int status, string code, string what)
    {
        Assert.True(response.Status == status, $"{what}: {response.Describe()}");
        Assert.Equal(code, response.ErrorCode());
        Assert.Equal("application/xml", response.Headers["Content-Type"]);
        Assert.Equal("close", response.Headers["Connection"]);
        Assert.Matches("^[0-9A-F]{16}$", response.Headers["x-amz-request-id"]);
        Assert.Equal(response.Headers["x-amz-request-id"], response.XmlValue("RequestId"));
    }

    /// <summary>One plain-HTTP server with 2-second header and body limits, and a bucket.</summary>
    public sealed class Fixture() : SharedServer(tls: false, ["--header-timeout", "2", "--body-timeout", "2"])
    {
        protected override async Task PrepareAsync(InProcessServer server)
        {
            await RawMultipart.CreateBucketAsync(server, "bucket");
            await RawMultipart.PutObjectAsync(server, "bucket", "probe", [1, 2, 3]);
        }
    }
}
