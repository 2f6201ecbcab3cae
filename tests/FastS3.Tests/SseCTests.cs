using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// SSE-C as clients see it: the seed walkthrough with aws-cli, then every applicable error row of
/// the reference (status and Code), over real TLS against the real server.
/// </summary>
public sealed class SseCTests : IDisposable
{
    // The seed document's key: "32byteslongsecretkeymustprovided".
    private const string Key = "MzJieXRlc2xvbmdzZWNyZXRrZXltdXN0cHJvdmlkZWQ=";
    private const string KeyMd5 = "7PpPLAK26ONlVUGOWlusfg==";
    private static readonly string OtherKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("another32byteslongsecretkey12345"));
    private static readonly string OtherKeyMd5 = Convert.ToBase64String(MD5.HashData(Encoding.ASCII.GetBytes("another32byteslongsecretkey12345")));

    private readonly string _work = Directory.CreateTempSubdirectory("fasts3-ssec-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static string[] Triple(string key = Key, string md5 = KeyMd5) =>
        ["x-amz-server-side-encryption-customer-algorithm:AES256", $"x-amz-server-side-encryption-customer-key:{key}", $"x-amz-server-side-encryption-customer-key-MD5:{md5}"];

    private static async Task<RawResponse> Send(ServerProcess server, string method, string path, byte[] body, params string[] headers)
    {
        string signed = await RequestSigner.SignAsync(method, new Uri(server.BaseUrl, path), null, headers);
        using RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: server.BaseUrl.Scheme == "https");
        await client.SendAsync(Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: {body.Length}\r\n{signed}\r\n").Concat(body).ToArray());
        return await client.ReadResponseAsync(head: method == "HEAD");
    }

    private static void AssertError(RawResponse response, int status, string code)
    {
        Assert.True(response.Status == status && response.BodyText.Contains($"<Code>{code}</Code>"), $"expected {status} {code}, got {response.Status}: {response.BodyText}");
    }

    [Theory]
    [InlineData("AES256", "", "", 400, "InvalidArgument")]                          // algorithm without key
    [InlineData("AES256", Key, "", 400, "InvalidArgument")]                         // no key MD5
    [InlineData("", Key, KeyMd5, 400, "InvalidArgument")]                           // key without algorithm
    [InlineData("AES128", Key, KeyMd5, 400, "InvalidArgument")]                     // not AES256
    [InlineData("AES256", Key, "AAAAAAAAAAAAAAAAAAAAAA==", 400, "InvalidArgument")] // MD5 mismatch
    [InlineData("AES256", "c2hvcnQ=", "wrxMdkaVFMsUJvfMR7rp3A==", 403, "AccessDenied")] // key not 32 bytes
    [InlineData("AES256", "not base64!", KeyMd5, 403, "AccessDenied")]
    public async Task MalformedTriplesAreRefused(string algorithm, string key, string md5, int status, string code)
    {
        await using ServerProcess server = await ServerProcess.StartAsync();
        Assert.Equal(0, (await AwsCli.RunAsync(server.BaseUrl, "s3api", "create-bucket", "--bucket", "bucket")).ExitCode);
        var headers = new List<string>();
        if (algorithm.Length > 0)
        {
            headers.Add($"x-amz-server-side-encryption-customer-algorithm:{algorithm}");
        }

        if (key.Length > 0)
        {
            headers.Add($"x-amz-server-side-encryption-customer-key:{key}");
        }

        if (md5.Length > 0)
        {
            headers.Add($"x-amz-server-side-encryption-customer-key-MD5:{md5}");
        }

        AssertError(await Send(server, "PUT", "/bucket/object", "data"u8.ToArray(), [.. headers]), status, code);
        Assert.NotEqual(0, (await AwsCli.RunAsync(server.BaseUrl, "s3api", "head-object", "--bucket", "bucket", "--key", "object")).ExitCode);
    }

    [Fact]
    public async Task SseCOverPlainHttpIsRefusedBeforeTheBody()
    {
        await using ServerProcess server = await ServerProcess.StartAsync(tls: false);
        foreach (string method in new[] { "PUT", "GET", "HEAD" })
        {
            RawResponse response = await Send(server, method, "/bucket/object", [], Triple());
            Assert.Equal(400, response.Status);
            if (method != "HEAD")
            {
                AssertError(response, 400, "InvalidRequest");
                Assert.Contains("secure connection", response.BodyText);
            }
        }

        // A client waiting for 100 Continue gets the refusal instead and never sends the key's data.
        string signed = await RequestSigner.SignAsync("PUT", new Uri(server.BaseUrl, "/bucket/object"), null, [.. Triple(), "Expect:100-continue"]);
        using RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port);
        await client.SendAsync($"PUT /bucket/object HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: 1000000\r\n{signed}\r\n");
        Assert.Equal(400, (await client.ReadResponseAsync(timeoutSeconds: 5)).Status);

        // Copy-source keys too.
        AssertError(await Send(server, "PUT", "/bucket/object", [], "x-amz-copy-source-server-side-encryption-customer-algorithm:AES256"), 400, "InvalidRequest");
    }

    [Fact]
    public async Task SseCWithAnotherEncryptionIsIncompatible()
    {
        await using ServerProcess server = await ServerProcess.StartAsync();
        Assert.Equal(0, (await AwsCli.RunAsync(server.BaseUrl, "s3api", "create-bucket", "--bucket", "bucket")).ExitCode);
        AssertError(await Send(server, "PUT", "/bucket/object", "data"u8.ToArray(), [.. Triple(), "x-amz-server-side-encryption:AES256"]), 400, "InvalidArgument");
        AssertError(await Send(server, "PUT", "/bucket/object", "data"u8.ToArray(), [.. Triple().Select(h => h.Replace("x-amz-", "x-amz-copy-source-"))]), 400, "InvalidRequest");
    }
}
