using System.Security.Cryptography;
using System.Text;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>
/// Broken uploads against the real server: each is refused with its S3 error or cut off, the
/// server keeps serving, the previous object survives intact, and nothing partial stays on disk.
/// </summary>
public class BadInputTests
{
    private static async Task<RawResponse> SendAsync(TestServer server, string method, string path, byte[] body, string signedHeaders, int? contentLength = null, bool close = false)
    {
        using RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: true);
        string head = $"{method} {path} HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: {contentLength ?? body.Length}\r\n{signedHeaders}\r\n";
        await client.SendAsync(Encoding.ASCII.GetBytes(head).Concat(body).ToArray());
        if (close)
        {
            client.Stream.Close();
            return new RawResponse(0, [], []);
        }

        return await client.ReadResponseAsync();
    }

    private static async Task<byte[]> GetAsync(TestServer server, string key)
    {
        string path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));
        var (exit, _, stderr) = await AwsCli.RunWarmAsync(server.BaseUrl, "s3api", "get-object", "--bucket", "bucket", "--key", key, path);
        Assert.True(exit == 0, stderr);
        byte[] data = File.ReadAllBytes(path);
        File.Delete(path);
        return data;
    }

    private static void AssertNothingPartial(InProcessServer server, int liveObjects)
    {
        Assert.Empty(server.Stored.UnfinishedWrites());
        Assert.Equal(liveObjects, server.Stored.DataItemCount("bucket"));
    }

    [Fact]
    public async Task BrokenUploadsLeaveTheOldObjectAndNothingPartial()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        Assert.Equal(0, (await AwsCli.RunWarmAsync(server.BaseUrl, "s3api", "create-bucket", "--bucket", "bucket")).ExitCode);
        byte[] original = RandomNumberGenerator.GetBytes(300_000);
        string originalPath = Path.GetTempFileName();
        File.WriteAllBytes(originalPath, original);
        Assert.Equal(0, (await AwsCli.RunWarmAsync(server.BaseUrl, "s3api", "put-object", "--bucket", "bucket", "--key", "victim", "--body", originalPath)).ExitCode);
        File.Delete(originalPath);

        Uri victim = new(server.BaseUrl, "/bucket/victim");
        byte[] replacement = RandomNumberGenerator.GetBytes(200_000);

        // Wrong CRC32: BadDigest.
        string headers = await PersistentSigner.SignAsync("PUT", victim, null, "x-amz-checksum-crc32:AAAAAA==");
        RawResponse response = await SendAsync(server, "PUT", "/bucket/victim", replacement, headers);
        Assert.Equal(400, response.Status);
        Assert.True(response.BodyText.Contains("<Code>BadDigest</Code>"), response.BodyText);

        // Wrong Content-MD5: BadDigest.
        headers = await PersistentSigner.SignAsync("PUT", victim, null, "Content-MD5:" + Convert.ToBase64String(MD5.HashData(original)));
        response = await SendAsync(server, "PUT", "/bucket/victim", replacement, headers);
        Assert.Equal(400, response.Status);
        Assert.True(response.BodyText.Contains("<Code>BadDigest</Code>"), response.BodyText);

        // Signed payload hash of other bytes: XAmzContentSHA256Mismatch.
        headers = await PersistentSigner.SignAsync("PUT", victim, original);
        response = await SendAsync(server, "PUT", "/bucket/victim", replacement, headers);
        Assert.Equal(400, response.Status);
        Assert.Contains("<Code>XAmzContentSHA256Mismatch</Code>", response.BodyText);

        // A signature over another key: SignatureDoesNotMatch, before any body byte is stored.
        headers = await PersistentSigner.SignAsync("PUT", new Uri(server.BaseUrl, "/bucket/other"), null);
        response = await SendAsync(server, "PUT", "/bucket/victim", replacement, headers);
        Assert.Equal(403, response.Status);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", response.BodyText);

        // A body cut short by the client going away.
        headers = await PersistentSigner.SignAsync("PUT", victim, null);
        await SendAsync(server, "PUT", "/bucket/victim", replacement[..100_000], headers, contentLength: replacement.Length, close: true);

        // Malformed aws-chunked framing.
        headers = await PersistentSigner.SignAsync("PUT", victim, null, "x-amz-content-sha256:STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-decoded-content-length:5", "content-encoding:aws-chunked");
        response = await SendAsync(server, "PUT", "/bucket/victim", Encoding.ASCII.GetBytes("zz\r\nhello\r\n0\r\n\r\n"), headers);
        Assert.Equal(400, response.Status);

        // No Content-Length and no chunking: 411 MissingContentLength.
        headers = await PersistentSigner.SignAsync("PUT", victim, null);
        using (RawClient noLength = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: true))
        {
            await noLength.SendAsync($"PUT /bucket/victim HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\n{headers}\r\n");
            response = await noLength.ReadResponseAsync();
            Assert.Equal(411, response.Status);
            Assert.Contains("<Code>MissingContentLength</Code>", response.BodyText);
        }

        // Garbage that is not HTTP at all.
        using (RawClient garbage = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: true))
        {
            await garbage.SendAsync("\u0001\u0002 not http\r\n\r\n");
            Assert.Equal(400, (await garbage.ReadResponseAsync()).Status);
        }

        // Still serving, the original intact, nothing partial anywhere.
        await Task.Delay(500);
        Assert.Equal(original, await GetAsync(server, "victim"));
        AssertNothingPartial(server, liveObjects: 1);
        Assert.DoesNotContain("unexpected", server.Log);
    }
}
