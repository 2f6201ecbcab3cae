using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>
/// SSE-S3 and SSE-KMS do not exist yet: asking for them is refused (501 NotImplemented, or beside an
/// SSE-C key the two-encryptions 400), and nothing is stored, instead of a 200 over plaintext.
/// </summary>
public sealed class ServerManagedEncryptionTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync();
        Assert.Equal(200, (await SendAsync("PUT", "/bucket")).Status);
        Assert.Equal(200, (await SendAsync("PUT", "/bucket/source", "data")).Status);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AwsCliPutWithSseS3IsRefusedAndStoresNothing()
    {
        string body = Path.GetTempFileName();
        await File.WriteAllTextAsync(body, "secret");
        var (exit, _, stderr) = await AwsCli.RunAsync(_server.BaseUrl, "s3api", "put-object", "--bucket", "bucket", "--key", "sse-s3", "--body", body, "--server-side-encryption", "AES256");
        File.Delete(body);
        Assert.NotEqual(0, exit);
        Assert.Contains("NotImplemented", stderr);
        Assert.Equal(404, (await SendAsync("HEAD", "/bucket/sse-s3")).Status);
    }

    [Theory]
    [InlineData("PUT", "/bucket/put", "x-amz-server-side-encryption", "AES256")]
    [InlineData("PUT", "/bucket/kms", "x-amz-server-side-encryption", "aws:kms")]
    [InlineData("PUT", "/bucket/kms-key", "x-amz-server-side-encryption-aws-kms-key-id", "alias/mine")]
    [InlineData("PUT", "/bucket/bucket-key", "x-amz-server-side-encryption-bucket-key-enabled", "true")]
    [InlineData("POST", "/bucket/upload?uploads", "x-amz-server-side-encryption", "AES256")]
    public async Task ServerManagedEncryptionIsNotImplemented(string method, string target, string header, string value)
    {
        RawResponse response = await SendAsync(method, target, "data", (header, value));
        S3Assert.Error(response, 501, "NotImplemented");
        Assert.Equal(404, (await SendAsync("HEAD", target.Split('?')[0])).Status);
        Assert.Empty((await SendAsync("GET", "/bucket?uploads")).XmlValues("Upload"));
    }

    [Fact]
    public async Task CopyWithSseS3IsNotImplemented()
    {
        RawResponse response = await SendAsync("PUT", "/bucket/copy", "", ("x-amz-copy-source", "bucket/source"), ("x-amz-server-side-encryption", "AES256"));
        S3Assert.Error(response, 501, "NotImplemented");
        Assert.Equal(404, (await SendAsync("HEAD", "/bucket/copy")).Status);
    }

    [Fact]
    public async Task SseS3BesideSseCIsTheTwoEncryptionsError()
    {
        var keys = new CustomerKeys(1);
        RawResponse response = await SendAsync("PUT", "/bucket/both", "data",
            ("x-amz-server-side-encryption-customer-algorithm", "AES256"), ("x-amz-server-side-encryption-customer-key", keys.Base64(0)),
            ("x-amz-server-side-encryption-customer-key-MD5", keys.Md5(0)), ("x-amz-server-side-encryption", "AES256"));
        S3Assert.Error(response, 400, "InvalidArgument");
        Assert.Contains("incompatible", response.XmlValue("Message"));
    }

    private Task<RawResponse> SendAsync(string method, string target, string body = "", params (string, string)[] headers)
        => RawSigner.SendAsync(_server, method, target, body, headers);
}
