using System.Security.Cryptography;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>Presigned PUT and GET URLs made by boto3, used by curl (the single-stream benchmark path).</summary>
public sealed class PresignedTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("fasts3-presign-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static Task<string> Presign(TestServer server, string method, string key, int expires = 600)
        => Boto3.PresignAsync(server, method, new Dictionary<string, string> { ["Bucket"] = "bucket", ["Key"] = key }, expires);

    [Fact]
    public async Task CurlUploadsAndDownloadsThroughPresignedUrls()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        Assert.Equal(0, (await AwsCli.RunWarmAsync(server.BaseUrl, "s3api", "create-bucket", "--bucket", "bucket")).ExitCode);
        string source = Path.Combine(_work, "source");
        File.WriteAllBytes(source, RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 1));

        string putUrl = await Presign(server, "put_object", "big file.bin");
        var (exit, stdout, stderr) = await Processes.CurlAsync("--insecure", "--fail-with-body", "--upload-file", source, putUrl);
        Assert.True(exit == 0, stdout + stderr);

        string downloaded = Path.Combine(_work, "downloaded");
        (exit, stdout, stderr) = await Processes.CurlAsync("--insecure", "--fail-with-body", "--output", downloaded, await Presign(server, "get_object", "big file.bin"));
        Assert.True(exit == 0, stdout + stderr);
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(downloaded));

        // A tampered URL does not verify.
        (exit, stdout, _) = await Processes.CurlAsync("--insecure", "--output", "/dev/null", "--write-out", "%{http_code}", putUrl.Replace("big%20file", "big%20filf"));
        Assert.Equal("403", stdout);
    }

    [Fact]
    public async Task PresignedUrlsCarrySseCHeadersOnlyWhenSigned()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        Assert.Equal(0, (await AwsCli.RunWarmAsync(server.BaseUrl, "s3api", "create-bucket", "--bucket", "bucket")).ExitCode);
        string source = Path.Combine(_work, "source");
        File.WriteAllBytes(source, RandomNumberGenerator.GetBytes(100_000));
        const string Key = "MzJieXRlc2xvbmdzZWNyZXRrZXltdXN0cHJvdmlkZWQ=";
        const string KeyMd5 = "7PpPLAK26ONlVUGOWlusfg==";
        Assert.Equal(0, (await AwsCli.RunWarmAsync(server.BaseUrl, "s3api", "put-object", "--bucket", "bucket", "--key", "enc", "--body", source,
            "--sse-customer-algorithm", "AES256", "--sse-customer-key", Key, "--sse-customer-key-md5", KeyMd5)).ExitCode);

        var (exit, stdout, stderr) = await Processes.RunAsync("python3", "-c", """
            import sys, warnings, boto3, botocore
            warnings.filterwarnings("ignore")
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], region_name="us-east-1",
                              config=botocore.config.Config(signature_version="s3v4"))
            print(s3.generate_presigned_url("get_object", Params={"Bucket": "bucket", "Key": "enc", "SSECustomerAlgorithm": "AES256",
                  "SSECustomerKey": b"32byteslongsecretkeymustprovided"}, ExpiresIn=600))
            """, server.BaseUrl.ToString().TrimEnd('/'), AwsCli.AccessKey, AwsCli.SecretKey);
        Assert.True(exit == 0, stderr);
        string url = stdout.Trim();
        Assert.Contains("x-amz-server-side-encryption-customer-key", Uri.UnescapeDataString(url));

        string[] sseHeaders = ["-H", "x-amz-server-side-encryption-customer-algorithm: AES256", "-H", $"x-amz-server-side-encryption-customer-key: {Key}", "-H", $"x-amz-server-side-encryption-customer-key-MD5: {KeyMd5}"];
        string downloaded = Path.Combine(_work, "downloaded");
        (exit, stdout, stderr) = await Processes.CurlAsync(["--insecure", "--fail-with-body", "--output", downloaded, .. sseHeaders, url]);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(downloaded));

        // Without the signed headers the URL does not verify.
        (exit, stdout, _) = await Processes.CurlAsync("--insecure", "--output", "/dev/null", "--write-out", "%{http_code}", url);
        Assert.Equal("403", stdout);

        // A plain presigned URL may not be used to add a key the signer never saw.
        string plainUrl = await Presign(server, "get_object", "enc");
        (exit, stdout, _) = await Processes.CurlAsync(["--insecure", "--output", "/dev/null", "--write-out", "%{http_code}", .. sseHeaders, plainUrl]);
        Assert.Equal("403", stdout);
    }
}
