using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>CopyObject through aws-cli: metadata directives, conditions, SSE-C in every direction, and key rotation.</summary>
public sealed class CopyObjectTests : IDisposable
{
    private const string Key = "MzJieXRlc2xvbmdzZWNyZXRrZXltdXN0cHJvdmlkZWQ=";
    private const string KeyMd5 = "7PpPLAK26ONlVUGOWlusfg==";
    private static readonly string NewKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("another32byteslongsecretkey12345"));
    private static readonly string NewKeyMd5 = Convert.ToBase64String(MD5.HashData(Encoding.ASCII.GetBytes("another32byteslongsecretkey12345")));

    private readonly string _work = Directory.CreateTempSubdirectory("fasts3-copy-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static string[] Dest(string key, string md5) => ["--sse-customer-algorithm", "AES256", "--sse-customer-key", key, "--sse-customer-key-md5", md5];

    private static string[] Source(string key, string md5) => ["--copy-source-sse-customer-algorithm", "AES256", "--copy-source-sse-customer-key", key, "--copy-source-sse-customer-key-md5", md5];

    private static async Task<(int Exit, string Stdout, string Stderr)> Aws(TestServer server, params string[] arguments) => await AwsCli.RunWarmAsync(server.BaseUrl, arguments);

    private async Task<byte[]> Get(TestServer server, string key, params string[] sse)
    {
        string output = Path.Combine(_work, Guid.NewGuid().ToString("N"));
        var (exit, _, stderr) = await Aws(server, ["s3api", "get-object", "--bucket", "bucket", "--key", key, .. sse, output]);
        Assert.True(exit == 0, stderr);
        return File.ReadAllBytes(output);
    }

    [Fact]
    public async Task CopiesWithDirectivesAndConditions()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        byte[] data = RandomNumberGenerator.GetBytes(300_000);
        string body = Path.Combine(_work, "body");
        File.WriteAllBytes(body, data);
        Assert.Equal(0, (await Aws(server, "s3api", "create-bucket", "--bucket", "bucket")).Exit);
        Assert.Equal(0, (await Aws(server, "s3api", "put-object", "--bucket", "bucket", "--key", "src", "--body", body, "--content-type", "text/x-source", "--metadata", "a=1")).Exit);

        var (exit, stdout, stderr) = await Aws(server, "s3api", "copy-object", "--copy-source", "bucket/src", "--bucket", "bucket", "--key", "copy");
        Assert.True(exit == 0, stderr);
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(data))}\"", JsonDocument.Parse(stdout).RootElement.GetProperty("CopyObjectResult").GetProperty("ETag").GetString());
        Assert.Equal(data, await Get(server, "copy"));
        (exit, stdout, _) = await Aws(server, "s3api", "head-object", "--bucket", "bucket", "--key", "copy");
        Assert.Equal("text/x-source", JsonDocument.Parse(stdout).RootElement.GetProperty("ContentType").GetString());

        Assert.Equal(0, (await Aws(server, "s3api", "copy-object", "--copy-source", "bucket/src", "--bucket", "bucket", "--key", "replaced", "--metadata-directive", "REPLACE", "--content-type", "text/x-new")).Exit);
        (_, stdout, _) = await Aws(server, "s3api", "head-object", "--bucket", "bucket", "--key", "replaced");
        using (JsonDocument head = JsonDocument.Parse(stdout))
        {
            Assert.Equal("text/x-new", head.RootElement.GetProperty("ContentType").GetString());
            Assert.False(head.RootElement.GetProperty("Metadata").TryGetProperty("a", out _));
        }

        (exit, _, stderr) = await Aws(server, "s3api", "copy-object", "--copy-source", "bucket/src", "--bucket", "bucket", "--key", "src");
        Assert.NotEqual(0, exit);
        Assert.Contains("(InvalidRequest)", stderr);
        (exit, _, stderr) = await Aws(server, "s3api", "copy-object", "--copy-source", "bucket/src", "--bucket", "bucket", "--key", "x", "--copy-source-if-match", "\"0000\"");
        Assert.NotEqual(0, exit);
        Assert.Contains("PreconditionFailed", stderr);
        (exit, _, stderr) = await Aws(server, "s3api", "copy-object", "--copy-source", "bucket/missing", "--bucket", "bucket", "--key", "x");
        Assert.NotEqual(0, exit);
        Assert.Contains("(NoSuchKey)", stderr);
    }

    [Fact]
    public async Task SseCInEveryDirectionAndKeyRotation()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        byte[] data = RandomNumberGenerator.GetBytes(200_001);
        string body = Path.Combine(_work, "body");
        File.WriteAllBytes(body, data);
        Assert.Equal(0, (await Aws(server, "s3api", "create-bucket", "--bucket", "bucket")).Exit);
        Assert.Equal(0, (await Aws(server, ["s3api", "put-object", "--bucket", "bucket", "--key", "enc", "--body", body, .. Dest(Key, KeyMd5)])).Exit);
        Assert.Equal(0, (await Aws(server, "s3api", "put-object", "--bucket", "bucket", "--key", "plain", "--body", body)).Exit);

        // SSE-C → SSE-C under a new key, SSE-C → plain, plain → SSE-C.
        Assert.Equal(0, (await Aws(server, ["s3api", "copy-object", "--copy-source", "bucket/enc", "--bucket", "bucket", "--key", "enc2", .. Source(Key, KeyMd5), .. Dest(NewKey, NewKeyMd5)])).Exit);
        Assert.Equal(data, await Get(server, "enc2", Dest(NewKey, NewKeyMd5)));
        Assert.Equal(0, (await Aws(server, ["s3api", "copy-object", "--copy-source", "bucket/enc", "--bucket", "bucket", "--key", "decrypted", .. Source(Key, KeyMd5)])).Exit);
        Assert.Equal(data, await Get(server, "decrypted"));
        Assert.Equal(0, (await Aws(server, ["s3api", "copy-object", "--copy-source", "bucket/plain", "--bucket", "bucket", "--key", "encrypted", .. Dest(Key, KeyMd5)])).Exit);
        Assert.Equal(data, await Get(server, "encrypted", Dest(Key, KeyMd5)));

        // The errors.
        var (exit, _, stderr) = await Aws(server, "s3api", "copy-object", "--copy-source", "bucket/enc", "--bucket", "bucket", "--key", "x");
        Assert.NotEqual(0, exit);
        Assert.Contains("(InvalidRequest)", stderr);
        (exit, _, stderr) = await Aws(server, ["s3api", "copy-object", "--copy-source", "bucket/enc", "--bucket", "bucket", "--key", "x", .. Source(NewKey, NewKeyMd5)]);
        Assert.NotEqual(0, exit);
        Assert.Contains("(AccessDenied)", stderr);
        (exit, _, stderr) = await Aws(server, ["s3api", "copy-object", "--copy-source", "bucket/plain", "--bucket", "bucket", "--key", "x", .. Source(Key, KeyMd5)]);
        Assert.NotEqual(0, exit);
        Assert.Contains("(InvalidRequest)", stderr);
        (exit, _, stderr) = await Aws(server, ["s3api", "copy-object", "--copy-source", "bucket/enc", "--bucket", "bucket", "--key", "enc", .. Source(NewKey, NewKeyMd5), .. Dest(NewKey, NewKeyMd5)]);
        Assert.NotEqual(0, exit);
        Assert.Contains("(InvalidArgument)", stderr);

        // Rotation: only the sealed key changes; the data item and the ETag stay as they were.
        IReadOnlyList<DataItem> itemsBefore = server.Stored.DataItems("bucket");
        (_, string before, _) = await Aws(server, ["s3api", "head-object", "--bucket", "bucket", "--key", "enc", .. Dest(Key, KeyMd5)]);
        (exit, _, stderr) = await Aws(server, ["s3api", "copy-object", "--copy-source", "bucket/enc", "--bucket", "bucket", "--key", "enc", .. Source(Key, KeyMd5), .. Dest(NewKey, NewKeyMd5)]);
        Assert.True(exit == 0, stderr);
        Assert.Equal(itemsBefore, server.Stored.DataItems("bucket"));
        (exit, string after, stderr) = await Aws(server, ["s3api", "head-object", "--bucket", "bucket", "--key", "enc", .. Dest(NewKey, NewKeyMd5)]);
        Assert.True(exit == 0, stderr);
        Assert.Equal(JsonDocument.Parse(before).RootElement.GetProperty("ETag").GetString(), JsonDocument.Parse(after).RootElement.GetProperty("ETag").GetString());
        Assert.Equal(data, await Get(server, "enc", Dest(NewKey, NewKeyMd5)));
        (exit, _, stderr) = await Aws(server, ["s3api", "head-object", "--bucket", "bucket", "--key", "enc", .. Dest(Key, KeyMd5)]);
        Assert.NotEqual(0, exit);
        Assert.Contains("403", stderr);
    }
}
