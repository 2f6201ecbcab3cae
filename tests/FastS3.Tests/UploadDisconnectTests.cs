using System.Security.Cryptography;
using System.Text;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>
/// A client that goes away in the middle of an upload, with a FIN or a reset, once the server is
/// already streaming the body into a temporary data file: the file is deleted, no object or part
/// appears, and the server carries on.
/// </summary>
public sealed class UploadDisconnectTests(UploadDisconnectTests.Fixture fixture) : IClassFixture<UploadDisconnectTests.Fixture>
{
    public enum Upload
    {
        Put,
        PutSseC,
        PutAwsChunked,
        UploadPart,
        UploadPartSseC,
    }

    private const string Bucket = "bucket";
    private const int Declared = 8 << 20;
    private const int SentBeforeLeaving = 3 << 20;
    private const int ChunkSize = 64 * 1024;

    [Theory]
    [InlineData(Upload.Put, false)]
    [InlineData(Upload.Put, true)]
    [InlineData(Upload.PutSseC, false)]
    [InlineData(Upload.PutSseC, true)]
    [InlineData(Upload.PutAwsChunked, false)]
    [InlineData(Upload.PutAwsChunked, true)]
    [InlineData(Upload.UploadPart, false)]
    [InlineData(Upload.UploadPart, true)]
    [InlineData(Upload.UploadPartSseC, false)]
    [InlineData(Upload.UploadPartSseC, true)]
    public async Task DisconnectMidUploadLeavesNothingBehind(Upload upload, bool reset)
    {
        InProcessServer server = fixture.Server;
        string key = $"{upload}-{(reset ? "reset" : "fin")}";
        bool sseC = upload is Upload.PutSseC or Upload.UploadPartSseC;
        string[] encryption = sseC ? SseCHeaders() : [];
        string? uploadId = upload is Upload.UploadPart or Upload.UploadPartSseC ? await RawMultipart.CreateAsync(server, Bucket, key, encryption) : null;
        string target = uploadId is null ? $"/{Bucket}/{key}" : $"/{Bucket}/{key}?partNumber=1&uploadId={uploadId}";
        bool chunked = upload == Upload.PutAwsChunked;
        string[] headers = chunked
            ? [.. encryption, "x-amz-content-sha256:STREAMING-UNSIGNED-PAYLOAD-TRAILER", $"x-amz-decoded-content-length:{Declared}", "content-encoding:aws-chunked"]
            : encryption;
        string signed = await PersistentSigner.SignAsync("PUT", new Uri(server.BaseUrl, target), null, headers);
        long length = chunked ? ((long)(Declared / ChunkSize) * ($"{ChunkSize:x}\r\n".Length + ChunkSize + 2)) + "0\r\n\r\n".Length : Declared;
        int dataFiles = server.Stored.DataItemCount(Bucket);

        RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: true);
        try
        {
            await client.SendAsync($"PUT {target} HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: {length}\r\n{signed}\r\n");
            byte[] data = RandomNumberGenerator.GetBytes(ChunkSize);
            for (int sent = 0; sent < SentBeforeLeaving; sent += ChunkSize)
            {
                await client.SendAsync(chunked ? [.. Encoding.ASCII.GetBytes($"{ChunkSize:x}\r\n"), .. data, .. "\r\n"u8] : data);
            }

            // The body is streaming into a data file: the server is committed to cleaning up.
            await WaitUntilAsync(() => server.Stored.UnfinishedWrites().Any(written => written > 0), $"{key}: no data item was being written");
        }
        finally
        {
            if (reset)
            {
                client.Reset();
            }
            else
            {
                client.Dispose();
            }
        }

        await WaitUntilAsync(() => server.Stored.UnfinishedWrites().Count == 0, $"{key}: the unfinished write stayed");
        Assert.Equal(dataFiles, server.Stored.DataItemCount(Bucket));
        if (uploadId is null)
        {
            Assert.Equal(404, (await SignedRequests.SendAsync(server, "HEAD", $"/{Bucket}/{key}", [], encryption)).Status);
        }
        else
        {
            RawResponse parts = await RawMultipart.ListPartsAsync(server, Bucket, key, uploadId);
            Assert.Equal(200, parts.Status);
            Assert.Empty(parts.XmlValues("Part"));
            Assert.Equal(204, (await RawMultipart.AbortAsync(server, Bucket, key, uploadId)).Status);
        }

        Assert.Equal(200, (await SignedRequests.SendAsync(server, "GET", $"/{Bucket}/probe", [])).Status);
        Assert.DoesNotContain("unexpected", server.Log);

        // A client that leaves is no failure of the server's (CI run 37: a reset read as "application failed").
        Assert.DoesNotContain("application failed", server.Log);
    }

    private string[] SseCHeaders()
        =>
        [
            "x-amz-server-side-encryption-customer-algorithm:AES256",
            $"x-amz-server-side-encryption-customer-key:{Convert.ToBase64String(fixture.CustomerKey)}",
            $"x-amz-server-side-encryption-customer-key-MD5:{Convert.ToBase64String(MD5.HashData(fixture.CustomerKey))}",
        ];

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        for (int i = 0; !condition(); i++)
        {
            Assert.True(i < 200, failure);
            await Task.Delay(50);
        }
    }

    /// <summary>One TLS server (SSE-C needs it) with a bucket and a small object to read back.</summary>
    public sealed class Fixture() : SharedServer(tls: true, [])
    {
        public byte[] CustomerKey { get; } = RandomNumberGenerator.GetBytes(32);

        protected override async Task PrepareAsync(InProcessServer server)
        {
            await RawMultipart.CreateBucketAsync(server, Bucket);
            await RawMultipart.PutObjectAsync(server, Bucket, "probe", [1, 2, 3]);
        }
    }
}
