using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using static FastS3.Tests.ServerSide.EncryptionModes;

namespace FastS3.Tests.ServerSide;

/// <summary>
/// SSE-S3 and SSE-KMS as clients see them: the headers AWS takes and echoes, its errors, the ETag
/// rules (MD5 for SSE-S3, not for SSE-KMS), reads that need no key, and bytes that never reach the
/// store in the clear.
/// </summary>
public sealed class ServerSideEncryptionTests : IAsyncLifetime
{
    private static readonly byte[] Diary = Encoding.UTF8.GetBytes("server-side secret diary: the plaintext must never be stored");

    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        // "Plain" below means plain: the server-wide default (SSE-S3) has a test of its own.
        _server = await InProcessServer.StartAsync(extraArguments: ["--default-encryption", "none"]);
        Assert.Equal(200, (await SendAsync("PUT", "/bucket", [])).Status);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AwsCliSseS3RoundTripHasAnMd5ETagAndNoPlaintextStored()
    {
        string body = Path.GetTempFileName();
        await File.WriteAllBytesAsync(body, Diary);
        var (exit, stdout, stderr) = await AwsCli.RunAsync(_server.BaseUrl, "s3api", "put-object", "--bucket", "bucket", "--key", "diary", "--body", body, "--server-side-encryption", "AES256");
        Assert.True(exit == 0, stderr);
        using JsonDocument put = JsonDocument.Parse(stdout);
        Assert.Equal("AES256", put.RootElement.GetProperty("ServerSideEncryption").GetString());
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(Diary))}\"", put.RootElement.GetProperty("ETag").GetString());

        (exit, stdout, stderr) = await AwsCli.RunAsync(_server.BaseUrl, "s3api", "head-object", "--bucket", "bucket", "--key", "diary");
        Assert.True(exit == 0, stderr);
        Assert.Contains("\"ServerSideEncryption\": \"AES256\"", stdout);

        string output = body + ".out";
        (exit, _, stderr) = await AwsCli.RunAsync(_server.BaseUrl, "s3api", "get-object", "--bucket", "bucket", "--key", "diary", output);
        Assert.True(exit == 0, stderr);
        Assert.Equal(Diary, await File.ReadAllBytesAsync(output));
        File.Delete(body);
        File.Delete(output);
        AssertNoPlaintextStored();
    }

    [Fact]
    public async Task AwsCliSseKmsUsesTheAwsManagedKeyAndARandomETag()
    {
        string body = Path.GetTempFileName();
        await File.WriteAllBytesAsync(body, Diary);
        var (exit, stdout, stderr) = await AwsCli.RunAsync(_server.BaseUrl, "s3api", "put-object", "--bucket", "bucket", "--key", "kms", "--body", body, "--server-side-encryption", "aws:kms");
        File.Delete(body);
        Assert.True(exit == 0, stderr);
        using JsonDocument put = JsonDocument.Parse(stdout);
        Assert.Equal("aws:kms", put.RootElement.GetProperty("ServerSideEncryption").GetString());
        string keyArn = put.RootElement.GetProperty("SSEKMSKeyId").GetString()!;
        Assert.Matches("^arn:aws:kms:us-east-1:[0-9]{12}:key/[0-9a-f-]{36}$", keyArn);
        Assert.NotEqual($"\"{Convert.ToHexStringLower(MD5.HashData(Diary))}\"", put.RootElement.GetProperty("ETag").GetString());

        RawResponse get = await SendAsync("GET", "/bucket/kms", []);
        Assert.Equal(200, get.Status);
        Assert.Equal(Diary, get.Body);
        Assert.Equal("aws:kms", get.Headers["x-amz-server-side-encryption"]);
        Assert.Equal(keyArn, get.Headers["x-amz-server-side-encryption-aws-kms-key-id"]);
        AssertNoPlaintextStored();
    }

    [Theory]
    [InlineData("x-amz-server-side-encryption:AES512", "InvalidArgument")]
    [InlineData("x-amz-server-side-encryption:aws:kms:dsse", "InvalidArgument")]
    [InlineData("x-amz-server-side-encryption-aws-kms-key-id:alias/aws/s3", "InvalidArgument")]
    [InlineData("x-amz-server-side-encryption-context:e30=", "InvalidArgument")]
    [InlineData("x-amz-server-side-encryption:aws:kms|x-amz-server-side-encryption-context:bm90IGpzb24=", "InvalidArgument")]
    [InlineData("x-amz-server-side-encryption:aws:kms|x-amz-server-side-encryption-context:eyJhIjoxfQ==", "InvalidArgument")]
    [InlineData("x-amz-server-side-encryption:AES256|x-amz-server-side-encryption-bucket-key-enabled:maybe", "InvalidArgument")]
    [InlineData("x-amz-server-side-encryption:aws:kms|x-amz-server-side-encryption-aws-kms-key-id:alias/none-such", "KMS.NotFoundException")]
    [InlineData("x-amz-server-side-encryption:aws:kms|x-amz-server-side-encryption-aws-kms-key-id:arn:aws:kms:eu-west-1:000000000000:alias/aws/s3", "KMS.NotFoundException")]
    [InlineData("x-amz-server-side-encryption:aws:kms|x-amz-server-side-encryption-aws-kms-key-id:fasts3-sse-s3", "KMS.NotFoundException")]
    public async Task MalformedOrUnknownServerSideHeadersAreRefusedAndStoreNothing(string headers, string code)
    {
        RawResponse response = await SendAsync("PUT", "/bucket/refused", Diary, headers.Split('|'));
        S3Assert.Error(response, 400, code);
        Assert.Equal(404, (await SendAsync("HEAD", "/bucket/refused", [])).Status);
    }

    [Fact]
    public async Task AContextIsTakenAndTheObjectReadsWithoutIt()
    {
        string context = Convert.ToBase64String("{\"department\":\"finance\"}"u8);
        RawResponse put = await SendAsync("PUT", "/bucket/context", Diary, "x-amz-server-side-encryption:aws:kms", $"x-amz-server-side-encryption-context:{context}", "x-amz-server-side-encryption-bucket-key-enabled:true");
        Assert.Equal(200, put.Status);
        Assert.Equal("true", put.Headers["x-amz-server-side-encryption-bucket-key-enabled"]);
        Assert.Equal(context, put.Headers["x-amz-server-side-encryption-context"]);
        RawResponse get = await SendAsync("GET", "/bucket/context", []);
        Assert.Equal(Diary, get.Body);
        Assert.Equal("true", get.Headers["x-amz-server-side-encryption-bucket-key-enabled"]);
    }

    [Fact]
    public async Task ACustomerKeyForAServerKeyedObjectIsRefused()
    {
        Assert.Equal(200, (await SendAsync("PUT", "/bucket/s3", Diary, "x-amz-server-side-encryption:AES256")).Status);
        var keys = new CustomerKeys(1);
        RawResponse response = await SendAsync("GET", "/bucket/s3", [], SseCHeaders(keys, "x-amz-"));
        S3Assert.Error(response, 400, "InvalidRequest");
    }

    [Fact]
    public async Task SseS3BesideSseCIsTheTwoEncryptionsError()
    {
        var keys = new CustomerKeys(1);
        RawResponse response = await SendAsync("PUT", "/bucket/both", Diary, [.. SseCHeaders(keys, "x-amz-"), "x-amz-server-side-encryption:AES256"]);
        S3Assert.Error(response, 400, "InvalidArgument");
        Assert.Contains("incompatible", response.XmlValue("Message"));
    }

    [Fact]
    public async Task CopyOntoItselfChangesTheMode()
    {
        Assert.Equal(200, (await SendAsync("PUT", "/bucket/self", Diary, "x-amz-server-side-encryption:AES256")).Status);
        RawResponse copy = await SendAsync("PUT", "/bucket/self", [], "x-amz-copy-source:bucket/self", "x-amz-server-side-encryption:aws:kms");
        Assert.Equal(200, copy.Status);
        RawResponse read = await SendAsync("GET", "/bucket/self", []);
        Assert.Equal("aws:kms", read.Headers["x-amz-server-side-encryption"]);
        Assert.Equal(Diary, read.Body);
        S3Assert.Error(await SendAsync("PUT", "/bucket/self", [], "x-amz-copy-source:bucket/self"), 400, "InvalidRequest");
    }

    [Fact]
    public async Task AwsCliMultipartUnderSseS3AndSseKms()
    {
        byte[] content = RandomNumberGenerator.GetBytes((9 * 1024 * 1024) + 7);
        string file = Path.GetTempFileName();
        await File.WriteAllBytesAsync(file, content);
        foreach (string mode in new[] { "AES256", "aws:kms" })
        {
            string key = $"multipart-{mode.Replace(':', '-')}";
            var (exit, _, stderr) = await AwsCli.RunAsync(_server.BaseUrl, "s3", "cp", file, $"s3://bucket/{key}", "--sse", mode);
            Assert.True(exit == 0, stderr);
            RawResponse head = await SendAsync("HEAD", $"/bucket/{key}", []);
            Assert.True(head.Headers.TryGetValue("x-amz-server-side-encryption", out string? echoed) && echoed == mode, head.Describe());
            Assert.EndsWith("-2\"", head.Headers["ETag"]);
            RawResponse read = await SendAsync("GET", $"/bucket/{key}", [], "Range:bytes=8388600-8388700");
            Assert.Equal(206, read.Status);
            Assert.Equal(content.AsSpan(8388600, 101).ToArray(), read.Body);
        }

        File.Delete(file);
        Assert.DoesNotContain(_server.Stored.DataItems("bucket"), item => Contains(_server.Stored.Read("bucket", item), content.AsSpan(0, 64)));
    }

    [Fact]
    public async Task ByDefaultEveryObjectIsSseS3WithAnMd5ETag()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await RawMultipart.CreateBucketAsync(server, "bucket");
        RawResponse put = await SignedRequests.SendAsync(server, "PUT", "/bucket/default", Diary);
        Assert.Equal("AES256", put.Headers["x-amz-server-side-encryption"]);
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(Diary))}\"", put.Headers["ETag"]);
        RawResponse get = await SignedRequests.SendAsync(server, "GET", "/bucket/default", []);
        Assert.Equal(Diary, get.Body);
        Assert.Equal("AES256", get.Headers["x-amz-server-side-encryption"]);
    }

    [Fact]
    public async Task TheBucketDefaultEncryptsWritesThatAskForNothing()
    {
        var (exit, _, stderr) = await AwsCli.RunAsync(_server.BaseUrl, "s3api", "put-bucket-encryption", "--bucket", "bucket", "--server-side-encryption-configuration",
            "{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"alias/aws/s3\"},\"BucketKeyEnabled\":true}]}");
        Assert.True(exit == 0, stderr);
        RawResponse put = await SendAsync("PUT", "/bucket/defaulted", Diary);
        Assert.Equal("aws:kms", put.Headers["x-amz-server-side-encryption"]);
        Assert.Equal("true", put.Headers["x-amz-server-side-encryption-bucket-key-enabled"]);
        string upload = await RawMultipart.CreateAsync(_server, "bucket", "defaulted-multipart");
        string etag = await RawMultipart.UploadPartAsync(_server, "bucket", "defaulted-multipart", upload, 1, Diary);
        Assert.Equal(200, (await RawMultipart.CompleteAsync(_server, "bucket", "defaulted-multipart", upload, [new(1, etag)])).Status);
        RawResponse copy = await SendAsync("PUT", "/bucket/defaulted-copy", [], "x-amz-copy-source:bucket/defaulted");
        Assert.Equal("aws:kms", copy.Headers["x-amz-server-side-encryption"]);

        // A write's own headers win over the default.
        Assert.Equal("AES256", (await SendAsync("PUT", "/bucket/asked", Diary, "x-amz-server-side-encryption:AES256")).Headers["x-amz-server-side-encryption"]);
        foreach (string key in new[] { "defaulted", "defaulted-multipart", "defaulted-copy" })
        {
            RawResponse read = await SendAsync("GET", $"/bucket/{key}", []);
            Assert.Equal(Diary, read.Body);
            Assert.Equal("aws:kms", read.Headers["x-amz-server-side-encryption"]);
        }

        AssertNoPlaintextStored();
    }

    /// <summary>No data item, and on the disk store no file under DATA_DIR (index, log, inline objects), holds the diary.</summary>
    private void AssertNoPlaintextStored()
    {
        foreach (DataItem item in _server.Stored.DataItems("bucket"))
        {
            Assert.False(Contains(_server.Stored.Read("bucket", item), Diary.AsSpan(0, 24)), $"data item {item.Name} holds plaintext");
        }

        if (Directory.Exists(_server.DataDir))
        {
            // The indexes' LOCK files are empty, and held by the running server.
            foreach (string file in Directory.EnumerateFiles(_server.DataDir, "*", SearchOption.AllDirectories).Where(file => Path.GetFileName(file) != "LOCK"))
            {
                Assert.False(Contains(File.ReadAllBytes(file), Diary.AsSpan(0, 24)), $"{file} holds plaintext");
            }
        }
    }

    private Task<RawResponse> SendAsync(string method, string target, byte[] body, params string[] headers)
        => SignedRequests.SendAsync(_server, method, target, body, headers);
}
