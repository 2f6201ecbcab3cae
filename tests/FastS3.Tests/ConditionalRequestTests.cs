using System.Text.Json;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>Conditional GET, HEAD and PUT through aws-cli.</summary>
public class ConditionalRequestTests
{
    [Fact]
    public async Task ConditionsAnswer304And412()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        Uri url = server.BaseUrl;
        string body = Path.GetTempFileName();
        File.WriteAllText(body, "version one");
        Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "create-bucket", "--bucket", "cond")).ExitCode);
        var (exit, stdout, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "put-object", "--bucket", "cond", "--key", "k", "--body", body);
        Assert.True(exit == 0, stderr);
        string etag = JsonDocument.Parse(stdout).RootElement.GetProperty("ETag").GetString()!;

        Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "head-object", "--bucket", "cond", "--key", "k", "--if-match", etag)).ExitCode);
        (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "head-object", "--bucket", "cond", "--key", "k", "--if-none-match", etag);
        Assert.NotEqual(0, exit);
        Assert.Contains("304", stderr);
        (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "get-object", "--bucket", "cond", "--key", "k", "--if-match", "\"0123\"", body + ".out");
        Assert.NotEqual(0, exit);
        Assert.Contains("PreconditionFailed", stderr);
        (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "get-object", "--bucket", "cond", "--key", "k", "--if-unmodified-since", "2001-01-01T00:00:00Z", body + ".out");
        Assert.NotEqual(0, exit);
        Assert.Contains("PreconditionFailed", stderr);

        // Conditional writes: create-only, and replace-only-if-unchanged.
        (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "put-object", "--bucket", "cond", "--key", "k", "--body", body, "--if-none-match", "*");
        Assert.NotEqual(0, exit);
        Assert.Contains("PreconditionFailed", stderr);
        File.WriteAllText(body, "version two");
        (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "put-object", "--bucket", "cond", "--key", "k", "--body", body, "--if-match", etag);
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "put-object", "--bucket", "cond", "--key", "k", "--body", body, "--if-match", etag);
        Assert.NotEqual(0, exit);
        Assert.Contains("PreconditionFailed", stderr);
        (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "put-object", "--bucket", "cond", "--key", "missing", "--body", body, "--if-match", etag);
        Assert.NotEqual(0, exit);
        Assert.Contains("NoSuchKey", stderr);
        Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "put-object", "--bucket", "cond", "--key", "new", "--body", body, "--if-none-match", "*")).ExitCode);

        (exit, _, _) = await AwsCli.RunWarmAsync(url, "s3api", "get-object", "--bucket", "cond", "--key", "k", body + ".out");
        Assert.Equal(0, exit);
        Assert.Equal("version two", File.ReadAllText(body + ".out"));
        File.Delete(body);
        File.Delete(body + ".out");
    }
}
