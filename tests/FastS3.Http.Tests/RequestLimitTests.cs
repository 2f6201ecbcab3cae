using System.Text;
using FastS3.Http.Tests.Infrastructure;
using FastS3.Testing;

namespace FastS3.Http.Tests;

/// <summary>Each limit and each kind of malformed request gets its status, then a closed connection.</summary>
public class RequestLimitTests
{
    private static async Task<(string Raw, RecordingApplication App)> Send(string request, HttpLimits? limits = null)
    {
        var app = new RecordingApplication();
        string raw = await InMemoryConnection.RunAsync(app, request, limits);
        return (raw, app);
    }

    private static async Task AssertRejected(string request, int status)
    {
        // A valid request follows the bad one: it must not be served, as the stream is abandoned.
        (string raw, RecordingApplication app) = await Send(request + "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(status, RawResponses.Status(raw));
        Assert.Contains("Connection: close\r\n", raw);
        Assert.Empty(app.Requests);
    }

    [Fact]
    public async Task RequestLineAtTheLimitIsServed()
    {
        string target = "/" + new string('a', 8192 - "GET / HTTP/1.1".Length);
        (string raw, _) = await Send($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, RawResponses.Status(raw));
    }

    [Fact]
    public Task RequestLineOverTheLimitIs414()
        => AssertRejected($"GET /{new string('a', 8192)} HTTP/1.1\r\nHost: x\r\n\r\n", 414);

    [Fact]
    public async Task RequestLineOverTheLimitIs414BeforeItEnds()
    {
        // No line end at all: the server must not wait for one past the limit.
        (string raw, _) = await Send("GET /" + new string('a', 9000));
        Assert.Equal(414, RawResponses.Status(raw));
    }

    [Fact]
    public Task HeadersOverTheSizeLimitAre431()
        => AssertRejected("GET / HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 70).Select(i => $"X-Big-{i}: {new string('v', 1000)}\r\n")) + "\r\n", 431);

    [Fact]
    public async Task HeadersOverTheSizeLimitAre431BeforeTheyEnd()
    {
        (string raw, _) = await Send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('v', 70_000));
        Assert.Equal(431, RawResponses.Status(raw));
    }

    [Fact]
    public async Task HundredHeadersAreServed()
    {
        string headers = string.Concat(Enumerable.Range(0, 99).Select(i => $"X-H-{i}: {i}\r\n"));
        (string raw, RecordingApplication app) = await Send($"GET / HTTP/1.1\r\nHost: x\r\n{headers}\r\n");
        Assert.Equal(200, RawResponses.Status(raw));
        Assert.Equal(100, Assert.Single(app.Requests).Headers.Count);
    }

    [Fact]
    public Task HundredAndOneHeadersAre431()
        => AssertRejected("GET / HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"X-H-{i}: {i}\r\n")) + "\r\n", 431);

    [Theory]
    [InlineData("GET  / HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1 \r\nHost: x\r\n\r\n")]
    [InlineData("GET /\r\nHost: x\r\n\r\n")]
    [InlineData("G(T / HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET http://example.com/ HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET /\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\nHost: x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n: empty-name\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nX-Ctl: a\u0001b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nX-Cr: a\rb\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n  continued\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")]
    [InlineData("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n")]
    [InlineData("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n")]
    [InlineData("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")]
    [InlineData("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")]
    [InlineData("PUT / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")]
    public Task MalformedRequestsAre400(string request) => AssertRejected(request, 400);

    [Theory]
    [InlineData("PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n")]
    [InlineData("PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")]
    [InlineData("PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")]
    public Task UnknownTransferCodingsAre501(string request) => AssertRejected(request, 501);

    [Fact]
    public Task OtherHttpVersionsAre505() => AssertRejected("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505);

    [Fact]
    public async Task DeclaredBodyOverTheLimitIs413()
    {
        (string raw, RecordingApplication app) = await Send("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world", new HttpLimits { MaxRequestBodySize = 10 });
        Assert.Equal(413, RawResponses.Status(raw));
        Assert.Empty(app.Requests);
    }

    [Fact]
    public async Task ChunkedBodyOverTheLimitIs413()
    {
        (string raw, RecordingApplication app) = await Send("PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n", new HttpLimits { MaxRequestBodySize = 10 });
        Assert.Equal(413, RawResponses.Status(raw));
        Assert.Equal(RequestRejectionReason.RequestBodyTooLarge, ((BadHttpRequestException)Assert.Single(app.Requests).BodyError!).Reason);
    }

    [Fact]
    public async Task ContentLengthBodyCutShortIsNeverComplete()
    {
        (string raw, RecordingApplication app) = await Send("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly some bytes");
        RecordedRequest request = Assert.Single(app.Requests);
        Assert.Equal(RequestRejectionReason.UnexpectedEndOfRequestContent, ((BadHttpRequestException)request.BodyError!).Reason);
        Assert.Equal("only some bytes", Encoding.ASCII.GetString(request.Body));
        Assert.Equal(400, RawResponses.Status(raw));
    }

    [Theory]
    [InlineData("5\r\nhello\r\n")]
    [InlineData("5\r\nhel")]
    [InlineData("5\r\nhello\r\n0\r\n")]
    [InlineData("5\r\nhello\r\n0\r\nx-trailer: 1\r\n")]
    [InlineData("5")]
    public async Task ChunkedBodyCutShortIsNeverComplete(string body)
    {
        (string raw, RecordingApplication app) = await Send("PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
        Assert.Equal(RequestRejectionReason.UnexpectedEndOfRequestContent, ((BadHttpRequestException)Assert.Single(app.Requests).BodyError!).Reason);
        Assert.Equal(400, RawResponses.Status(raw));
    }

    [Fact]
    public async Task ChunkSizesAreHexOfEitherCase()
    {
        (string raw, RecordingApplication app) = await Send("PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nB\r\nhello world\r\nb\r\nHELLO WORLD\r\n0\r\n\r\n");
        Assert.Equal(200, RawResponses.Status(raw));
        Assert.Equal("hello worldHELLO WORLD", Encoding.ASCII.GetString(Assert.Single(app.Requests).Body));
    }

    [Theory]
    [InlineData("g\r\nhello\r\n0\r\n\r\n")]
    [InlineData("\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5\r\nhelloXX0\r\n\r\n")]
    [InlineData("-5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("1000000000000000\r\n")]
    [InlineData("5;ext=\u0001\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5\nhello\r\n0\r\n\r\n")]
    [InlineData(" 5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5 \r\nhello\r\n0\r\n\r\n")]
    [InlineData("\t5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5\t\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5 ;ext=v\r\nhello\r\n0\r\n\r\n")]
    public async Task MalformedChunkFramingIs400(string body)
    {
        (string raw, RecordingApplication app) = await Send("PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
        Assert.IsType<BadHttpRequestException>(Assert.Single(app.Requests).BodyError);
        Assert.Equal(400, RawResponses.Status(raw));
    }

    [Fact]
    public async Task ChunkedBodyWithExtensionsAndTrailersIsDecoded()
    {
        (string raw, RecordingApplication app) = await Send(
            "PUT /o HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "4\r\nWiki\r\n5;name=value\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nx-amz-checksum-crc32: ECU9AA==\r\nX-Other:v\r\n\r\n" +
            "GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal([200, 200], RawResponses.StatusCodes(raw));
        RecordedRequest request = app.Requests.First();
        Assert.Equal("Wikipedia in\r\n\r\nchunks.", Encoding.ASCII.GetString(request.Body));
        Assert.Equal([("x-amz-checksum-crc32", "ECU9AA=="), ("X-Other", "v")], request.Trailers);
        Assert.Equal("/next", app.Requests.Last().Target);
    }

    [Fact]
    public async Task MalformedTrailerIs400()
    {
        (string raw, _) = await Send("PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n");
        Assert.Equal(400, RawResponses.Status(raw));
    }

    [Fact]
    public async Task SmallUnreadBodyIsDrainedAndTheConnectionKept()
    {
        var app = new RecordingApplication { ReadBody = false };
        string raw = await InMemoryConnection.RunAsync(app, "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal([200, 200], RawResponses.StatusCodes(raw));
        Assert.DoesNotContain("Connection: close", raw);
        Assert.Equal("/next", app.Requests.Last().Target);
    }

    [Fact]
    public async Task LargeUnreadBodyClosesTheConnection()
    {
        var app = new RecordingApplication { ReadBody = false };
        string body = new('x', 300 * 1024);
        string raw = await InMemoryConnection.RunAsync(app, $"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n{body}GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, RawResponses.Status(raw));
        Assert.Contains("Connection: close\r\n", raw);
        Assert.Single(app.Requests);
    }

    [Fact]
    public async Task UnreadChunkedBodyClosesTheConnection()
    {
        var app = new RecordingApplication { ReadBody = false };
        string raw = await InMemoryConnection.RunAsync(app, "PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, RawResponses.Status(raw));
        Assert.Contains("Connection: close\r\n", raw);
    }

    [Fact]
    public async Task EmptyLinesBeforeARequestAreIgnored()
    {
        var app = new RecordingApplication();
        string raw = await InMemoryConnection.RunAsync(app, "\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal([200, 200], RawResponses.StatusCodes(raw));
    }

    [Fact]
    public async Task Http10ClosesUnlessAskedToKeepAlive()
    {
        var app = new RecordingApplication();
        string closed = await InMemoryConnection.RunAsync(app, "GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n");
        Assert.Equal([200], RawResponses.StatusCodes(closed));
        Assert.Contains("Connection: close\r\n", closed);

        string kept = await InMemoryConnection.RunAsync(app, "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n");
        Assert.Equal([200, 200], RawResponses.StatusCodes(kept));
        Assert.Contains("Connection: keep-alive\r\n", kept);
    }

    [Fact]
    public async Task ConnectionCloseIsHonoured()
    {
        var app = new RecordingApplication();
        string raw = await InMemoryConnection.RunAsync(app, "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal([200], RawResponses.StatusCodes(raw));
        Assert.Contains("Connection: close\r\n", raw);
    }
}
