using System.Security.Cryptography;
using System.Text;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// Upload bodies held to what they declare (issue 12, finding 5), against the real server: an upload
/// of unknown size is refused before its body is read, one that brings more than it declared is
/// refused as the excess arrives, and aws-chunked or HTTP chunked framing that could be read two ways
/// is refused. Each answers its S3 error and leaves no temporary file, object or part.
/// </summary>
public sealed class StrictBodyTests(StrictBodyTests.Fixture fixture) : IClassFixture<StrictBodyTests.Fixture>
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

    private ServerProcess Server => fixture.Server;

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
        string signed = await PersistentSigner.SignAsync("PUT", new Uri(Server.BaseUrl, target.Path), null, target.Encryption);
        using RawClient client = await RawClient.ConnectAsync(Server.BaseUrl.Port, tls: true);
        await client.SendAsync($"PUT {target.Path} HTTP/1.1\r\nHost: {Server.BaseUrl.Authority}\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n{signed}\r\n");

        S3Assert.Error(await client.ReadResponseAsync(), 411, "MissingContentLength");
        await AssertNothingStoredAsync(target);
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

        S3Assert.Error(await client.ReadResponseAsync(), 400, "EntityTooLarge");
        await AssertNothingStoredAsync(target);
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

    private async Task<RawClient> SendHeadAsync(string path, string[] headers, string framing)
        => await SendHeadAsync(path, await PersistentSigner.SignAsync("PUT", new Uri(Server.BaseUrl, path), null, headers), framing);

    private async Task<RawClient> SendHeadAsync(string path, string signed, string framing)
    {
        RawClient client = await RawClient.ConnectAsync(Server.BaseUrl.Port, tls: true);
        await client.SendAsync($"PUT {path} HTTP/1.1\r\nHost: {Server.BaseUrl.Authority}\r\n{framing}{signed}\r\n");
        return client;
    }

    private async Task AssertNothingStoredAsync(Target target)
    {
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(Server.DataDir, ".fasts3", "tmp")));
        Assert.Equal(1, RawMultipart.DataFileCount(Server, Bucket));
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

    /// <summary>One TLS server (SSE-C needs it) with a bucket holding one object, so "nothing stored" is one data file.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly byte[] _customerKey = RandomNumberGenerator.GetBytes(32);

        public ServerProcess Server { get; private set; } = null!;

        public string[] SseCHeaders =>
        [
            "x-amz-server-side-encryption-customer-algorithm:AES256",
            $"x-amz-server-side-encryption-customer-key:{Convert.ToBase64String(_customerKey)}",
            $"x-amz-server-side-encryption-customer-key-MD5:{Convert.ToBase64String(MD5.HashData(_customerKey))}",
        ];

        public async Task InitializeAsync()
        {
            Server = await ServerProcess.StartAsync();
            await RawMultipart.CreateBucketAsync(Server, Bucket);
            await RawMultipart.PutObjectAsync(Server, Bucket, "existing", RandomNumberGenerator.GetBytes(100_000));
        }

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }
}
