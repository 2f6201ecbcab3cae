using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using FastS3.Auth;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>
/// Upload bodies held to what they declare (issue 12, finding 5), against the real server: an upload
/// of unknown size is refused before its body is read, one that brings more than it declared is
/// refused as the excess arrives, and aws-chunked or HTTP chunked framing that could be read two ways
/// is refused. Each answers its S3 error and leaves no temporary file, object or part.
/// </summary>
public sealed partial class StrictBodyTests(StrictBodyTests.Fixture fixture) : IClassFixture<StrictBodyTests.Fixture>
{
    public enum Upload
    {
        Put,
        PutSseC,
        UploadPart,
        UploadPartSseC,
    }

    private const string Bucket = "bucket";
    private const string UnsignedTrailer = "x-amz-content-sha256:STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    private InProcessServer Server => fixture.Server;

    [Theory]
    [InlineData(Upload.Put)]
    [InlineData(Upload.PutSseC)]
    [InlineData(Upload.UploadPart)]
    [InlineData(Upload.UploadPartSseC)]
    public async Task UploadOfUnknownSizeIsRefusedBeforeItsBody(Upload upload)
    {
        // HTTP chunked with no Content-Length (and no aws-chunked decoded length): S3's 411, and no
        // 100 Continue first, so a waiting client never sends the body.
        Target target = await StartAsync(upload, $"unknown-{upload}");
        using RawClient client = await SendHeadAsync(target.Path, target.Encryption, "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n");

        await AssertRefusedAsync(target, await client.ReadResponseAsync(), 411, "MissingContentLength");
    }

    [Theory]
    [InlineData(Upload.Put, false)]
    [InlineData(Upload.PutSseC, true)]
    [InlineData(Upload.UploadPart, false)]
    [InlineData(Upload.UploadPartSseC, true)]
    public async Task DeclaredSizeOverTheLimitIsRefusedBeforeItsBody(Upload upload, bool awsChunked)
    {
        // 5 GiB and a byte, as a Content-Length or as an aws-chunked decoded length.
        const long TooLarge = (5L << 30) + 1;
        Target target = await StartAsync(upload, $"too-large-{upload}");
        string[] headers = awsChunked ? [.. target.Encryption, UnsignedTrailer, $"x-amz-decoded-content-length:{TooLarge}", "content-encoding:aws-chunked"] : target.Encryption;
        string framing = awsChunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {TooLarge}\r\n";
        using RawClient client = await SendHeadAsync(target.Path, headers, framing + "Expect: 100-continue\r\n");

        await AssertRefusedAsync(target, await client.ReadResponseAsync(), 400, "EntityTooLarge");
    }

    [Theory]
    [InlineData(Upload.Put, 1000)]
    [InlineData(Upload.Put, 100_000)]
    [InlineData(Upload.PutSseC, 1000)]
    [InlineData(Upload.PutSseC, 100_000)]
    [InlineData(Upload.UploadPart, 1000)]
    [InlineData(Upload.UploadPart, 100_000)]
    [InlineData(Upload.UploadPartSseC, 1000)]
    [InlineData(Upload.UploadPartSseC, 100_000)]
    public async Task BytesBeyondTheDeclaredSizeAreRefusedAsTheyArrive(Upload upload, int declared)
    {
        // The declared bytes, then a chunk of one more; the rest of the body never comes, so only a
        // server that checks as the bytes arrive answers at all. (Inline-sized and file-sized objects.)
        Target target = await StartAsync(upload, $"beyond-{upload}-{declared}");
        string[] headers = [.. target.Encryption, UnsignedTrailer, $"x-amz-decoded-content-length:{declared}", "content-encoding:aws-chunked"];
        byte[] body = [.. Encoding.ASCII.GetBytes($"{declared:x}\r\n"), .. RandomNumberGenerator.GetBytes(declared), .. "\r\n1\r\nX"u8];
        using RawClient client = await SendHeadAsync(target.Path, headers, $"Content-Length: {2 * declared}\r\n");
        await client.SendAsync(body);

        await AssertRefusedAsync(target, await client.ReadResponseAsync(), 400, "EntityTooLarge");
    }

    [Fact]
    public async Task RepeatedTrailerIsRefused()
    {
        // Taking the first of two checksum trailers (or the last) is a choice a proxy may make the other way.
        Target target = await StartAsync(Upload.Put, "repeated-trailer");
        string body = $"5\r\nhello\r\n0\r\nx-amz-checksum-sha256:{Sha256Base64("hello")}\r\nX-Amz-Checksum-Sha256:{Sha256Base64("other")}\r\n\r\n";

        RawResponse response = await SendAwsChunkedAsync(target, _ => body, UnsignedTrailer, "x-amz-trailer:x-amz-checksum-sha256");

        await AssertRefusedAsync(target, response, 400, "MalformedTrailerError");
    }

    [Fact]
    public async Task TrailerInASignedStreamWithoutOneIsRefused()
    {
        // STREAMING-AWS4-HMAC-SHA256-PAYLOAD signs every chunk but has no trailer signature: a trailer
        // there would be unsigned data deciding the object's checksum.
        Target target = await StartAsync(Upload.Put, "signed-no-trailer");
        string trailer = $"x-amz-checksum-sha256:{Sha256Base64("hello")}\r\n";

        // No x-amz-trailer: one declared with this mode is refused before the body (see below).
        RawResponse response = await SendAwsChunkedAsync(target, signed => SignedHello(signed, _ => trailer), "x-amz-content-sha256:STREAMING-AWS4-HMAC-SHA256-PAYLOAD");

        await AssertRefusedAsync(target, response, 400, "MalformedTrailerError");
    }

    [Fact]
    public async Task RepeatedTrailerSignatureIsRefused()
    {
        // The same valid signature twice: harmless here, but a second signature is as ambiguous as a second checksum.
        Target target = await StartAsync(Upload.Put, "repeated-trailer-signature");
        string trailer = $"x-amz-checksum-sha256:{Sha256Base64("hello")}";
        string Trailers(ChunkSigner chain)
        {
            string signature = chain.NextTrailer(trailer + "\n");
            return $"{trailer}\r\nx-amz-trailer-signature:{signature}\r\nx-amz-trailer-signature:{signature}\r\n";
        }

        RawResponse response = await SendAwsChunkedAsync(target, signed => SignedHello(signed, Trailers), "x-amz-content-sha256:STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "x-amz-trailer:x-amz-checksum-sha256");

        await AssertRefusedAsync(target, response, 400, "MalformedTrailerError");
    }

    [Fact]
    public async Task TrailerPromisedByABodyWithoutTrailersIsRefusedBeforeIt()
    {
        // After an aws-chunked upload with a SHA-256 trailer of "hello", the same connection sends a
        // plain body promising that trailer: it must not inherit the last upload's checksum, nor be read at all.
        Target first = await StartAsync(Upload.Put, "trailer-first");
        Target second = await StartAsync(Upload.Put, "trailer-second");
        string[] firstHeaders = [UnsignedTrailer, "x-amz-trailer:x-amz-checksum-sha256", "x-amz-decoded-content-length:5", "content-encoding:aws-chunked"];
        string firstBody = $"5\r\nhello\r\n0\r\nx-amz-checksum-sha256:{Sha256Base64("hello")}\r\n\r\n";
        string firstHead = await PersistentSigner.SignAsync("PUT", new Uri(Server.BaseUrl, first.Path), null, firstHeaders);
        string secondHead = await PersistentSigner.SignAsync("PUT", new Uri(Server.BaseUrl, second.Path), null, "x-amz-trailer:x-amz-checksum-sha256");

        using RawClient client = await RawClient.ConnectAsync(Server.BaseUrl.Port, tls: true);
        await client.SendAsync($"PUT {first.Path} HTTP/1.1\r\nHost: {Server.BaseUrl.Authority}\r\nContent-Length: {firstBody.Length}\r\n{firstHead}\r\n{firstBody}");
        S3Assert.Status(await client.ReadResponseAsync(), 200);
        await client.SendAsync($"PUT {second.Path} HTTP/1.1\r\nHost: {Server.BaseUrl.Authority}\r\nContent-Length: 5\r\nExpect: 100-continue\r\n{secondHead}\r\n");

        await AssertRefusedAsync(second, await client.ReadResponseAsync(), 400, "InvalidRequest");
    }

    [Fact]
    public async Task ChunkExtensionOverTheLineLimitIsRefused()
    {
        // Sent in one write, the line arrives in one receive buffer: the limit must hold there too.
        Target target = await StartAsync(Upload.Put, "long-extension");
        string body = $"5;{new string('x', 5000)}\r\nhello\r\n0\r\n\r\n";

        RawResponse response = await SendAwsChunkedAsync(target, _ => body, UnsignedTrailer);

        await AssertRefusedAsync(target, response, 400, "InvalidRequest");
    }

    [Theory]
    [InlineData(" {0}")]
    [InlineData("{0} ")]
    [InlineData("\t{0}")]
    [InlineData("{0}\t")]
    [InlineData("{0} ;name=value")]
    public async Task HttpChunkSizeWithWhitespaceIsRefused(string sizeLine)
    {
        // RFC 9112 allows no whitespace around the chunk size; parsers that skip it and parsers that
        // stop at it frame the same bytes differently (request smuggling).
        Target target = await StartAsync(Upload.Put, "http-chunk-" + Convert.ToHexString(Encoding.ASCII.GetBytes(sizeLine)));
        string inner = "5\r\nhello\r\n0\r\n\r\n";
        string body = $"{string.Format(sizeLine, inner.Length.ToString("x"))}\r\n{inner}\r\n0\r\n\r\n";

        using RawClient client = await SendHeadAsync(target.Path, [UnsignedTrailer, "x-amz-decoded-content-length:5", "content-encoding:aws-chunked"], "Transfer-Encoding: chunked\r\n");
        await client.SendAsync(body);

        await AssertRefusedAsync(target, await client.ReadResponseAsync(), 400, "BadRequest");
    }

    /// <summary>Where an upload goes: an object, or part 1 of a new multipart upload; with its SSE-C headers.</summary>
    private sealed record Target(string Key, string Path, string? UploadId, string[] Encryption);

    private async Task<Target> StartAsync(Upload upload, string key)
    {
        string[] encryption = upload is Upload.PutSseC or Upload.UploadPartSseC ? fixture.SseCHeaders : [];
        if (upload is Upload.Put or Upload.PutSseC)
        {
            return new Target(key, $"/{Bucket}/{key}", null, encryption);
        }

        string uploadId = await RawMultipart.CreateAsync(Server, Bucket, key, encryption);
        return new Target(key, $"/{Bucket}/{key}?partNumber=1&uploadId={uploadId}", uploadId, encryption);
    }

    /// <summary>Connects and sends a signed PUT head with <paramref name="framing"/> (its length header lines); the body is the caller's to send.</summary>
    private async Task<RawClient> SendHeadAsync(string path, string[] headers, string framing)
    {
        string signed = await PersistentSigner.SignAsync("PUT", new Uri(Server.BaseUrl, path), null, headers);
        RawClient client = await RawClient.ConnectAsync(Server.BaseUrl.Port, tls: true);
        await client.SendAsync($"PUT {path} HTTP/1.1\r\nHost: {Server.BaseUrl.Authority}\r\n{framing}{signed}\r\n");
        return client;
    }

    /// <summary>
    /// A 5-byte aws-chunked upload, head and body in one write; <paramref name="body"/> makes the
    /// body from the signed head lines (which hold the seed signature of signed chunks).
    /// </summary>
    private async Task<RawResponse> SendAwsChunkedAsync(Target target, Func<string, string> body, params string[] headers)
    {
        string signed = await PersistentSigner.SignAsync("PUT", new Uri(Server.BaseUrl, target.Path), null, [.. headers, "x-amz-decoded-content-length:5", "content-encoding:aws-chunked"]);
        string text = body(signed);
        using RawClient client = await RawClient.ConnectAsync(Server.BaseUrl.Port, tls: true);
        await client.SendAsync($"PUT {target.Path} HTTP/1.1\r\nHost: {Server.BaseUrl.Authority}\r\nContent-Length: {text.Length}\r\n{signed}\r\n{text}");
        return await client.ReadResponseAsync();
    }

    /// <summary>"hello" in signed chunks, then the trailer section <paramref name="trailers"/> writes (its fields, each ending in CRLF).</summary>
    private static string SignedHello(string signedHeaders, Func<ChunkSigner, string> trailers)
    {
        var chain = new ChunkSigner(signedHeaders);
        return $"5;chunk-signature={chain.Next("hello")}\r\nhello\r\n0;chunk-signature={chain.Next("")}\r\n{trailers(chain)}\r\n";
    }

    /// <summary>The upload got <paramref name="status"/> and <paramref name="code"/>, and left no temporary file, object or part.</summary>
    private async Task AssertRefusedAsync(Target target, RawResponse response, int status, string code)
    {
        S3Assert.Error(response, status, code);
        Assert.Empty(Server.Stored.UnfinishedWrites());
        Assert.Equal(1, Server.Stored.DataItemCount(Bucket));
        if (target.UploadId is null)
        {
            S3Assert.Status(await SignedRequests.SendAsync(Server, "HEAD", $"/{Bucket}/{target.Key}", [], target.Encryption), 404);
        }
        else
        {
            RawResponse parts = await RawMultipart.ListPartsAsync(Server, Bucket, target.Key, target.UploadId);
            S3Assert.Status(parts, 200);
            Assert.Empty(parts.XmlValues("Part"));
            S3Assert.Status(await RawMultipart.AbortAsync(Server, Bucket, target.Key, target.UploadId), 204);
        }
    }

    private static string Sha256Base64(string text) => Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(text)));

    /// <summary>Chains aws-chunked chunk and trailer signatures from the seed signature botocore put in the request's Authorization.</summary>
    private sealed partial class ChunkSigner
    {
        private readonly byte[] _key = new byte[32];
        private readonly byte[] _amzDate;
        private readonly byte[] _scope;
        private byte[] _previous;

        public ChunkSigner(string signedHeaders)
        {
            string amzDate = AmzDate().Match(signedHeaders).Groups[1].Value;
            _amzDate = Encoding.ASCII.GetBytes(amzDate);
            _scope = Encoding.ASCII.GetBytes($"{amzDate[..8]}/us-east-1/s3/aws4_request");
            _previous = Encoding.ASCII.GetBytes(Signature().Match(signedHeaders).Groups[1].Value);
            SigningKeyCache.Derive(Encoding.ASCII.GetBytes(AwsCli.SecretKey), _amzDate.AsSpan(0, 8), "us-east-1"u8, "s3"u8, _key);
        }

        /// <summary>The signature of the next chunk, <paramref name="chunk"/>.</summary>
        public string Next(string chunk) => Chain("AWS4-HMAC-SHA256-PAYLOAD"u8, HexSha256(""), HexSha256(chunk));

        /// <summary>The trailer's signature, over its "name:value\n" lines.</summary>
        public string NextTrailer(string fields) => Chain("AWS4-HMAC-SHA256-TRAILER"u8, HexSha256(fields), []);

        private string Chain(ReadOnlySpan<byte> algorithm, byte[] line2, byte[] line3)
        {
            byte[] next = new byte[64];
            StringToSign.Sign(_key, algorithm, _amzDate, _scope, _previous, line2, line3, next);
            _previous = next;
            return Encoding.ASCII.GetString(next);
        }

        private static byte[] HexSha256(string text) => Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(text))));

        [GeneratedRegex(@"(?i)x-amz-date: *(\d{8}T\d{6}Z)")]
        private static partial Regex AmzDate();

        [GeneratedRegex(@"Signature=([0-9a-f]{64})")]
        private static partial Regex Signature();
    }

    /// <summary>One TLS server (SSE-C needs it) with a bucket holding one object, so "nothing stored" is one data file.</summary>
    public sealed class Fixture() : SharedServer(tls: true, [])
    {
        private readonly byte[] _customerKey = RandomNumberGenerator.GetBytes(32);

        public string[] SseCHeaders =>
        [
            "x-amz-server-side-encryption-customer-algorithm:AES256",
            $"x-amz-server-side-encryption-customer-key:{Convert.ToBase64String(_customerKey)}",
            $"x-amz-server-side-encryption-customer-key-MD5:{Convert.ToBase64String(MD5.HashData(_customerKey))}",
        ];

        protected override async Task PrepareAsync(InProcessServer server)
        {
            await RawMultipart.CreateBucketAsync(server, Bucket);
            await RawMultipart.PutObjectAsync(server, Bucket, "existing", RandomNumberGenerator.GetBytes(100_000));
        }
    }
}
