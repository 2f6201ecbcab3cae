using System.Text.Json;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>Bucket operations with the real aws-cli against the real server over HTTPS.</summary>
public class BucketTests
{
    [Fact]
    public async Task CreateListHeadLocateDelete()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        Uri url = server.BaseUrl;

        var (exit, stdout, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "create-bucket", "--bucket", "my-bucket");
        Assert.True(exit == 0, stderr);
        Assert.Contains("/my-bucket", stdout);
        Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "create-bucket", "--bucket", "another.bucket-2")).ExitCode);

        (exit, stdout, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "list-buckets");
        Assert.True(exit == 0, stderr);
        using (JsonDocument listing = JsonDocument.Parse(stdout))
        {
            Assert.Equal(["another.bucket-2", "my-bucket"], listing.RootElement.GetProperty("Buckets").EnumerateArray().Select(b => b.GetProperty("Name").GetString()));
            DateTimeOffset created = listing.RootElement.GetProperty("Buckets")[1].GetProperty("CreationDate").GetDateTimeOffset();
            Assert.InRange(DateTimeOffset.UtcNow - created, TimeSpan.Zero, TimeSpan.FromMinutes(2));
            Assert.Equal(AwsCli.AccessKey, listing.RootElement.GetProperty("Owner").GetProperty("DisplayName").GetString());
        }

        Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "head-bucket", "--bucket", "my-bucket")).ExitCode);
        (exit, stdout, _) = await AwsCli.RunWarmAsync(url, "s3api", "get-bucket-location", "--bucket", "my-bucket");
        Assert.Equal(0, exit);
        Assert.Contains("\"LocationConstraint\": null", stdout);

        (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "delete-bucket", "--bucket", "my-bucket");
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "head-bucket", "--bucket", "my-bucket");
        Assert.NotEqual(0, exit);
        Assert.Contains("404", stderr);

        (exit, stdout, _) = await AwsCli.RunWarmAsync(url, "s3", "ls");
        Assert.Equal(0, exit);
        Assert.Contains("another.bucket-2", stdout);
        Assert.DoesNotContain("my-bucket", stdout);
    }

    [Fact]
    public async Task BucketErrorsAreS3Errors()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        Uri url = server.BaseUrl;

        var (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "create-bucket", "--bucket", "Bad_Name");
        Assert.NotEqual(0, exit);
        Assert.Contains("(InvalidBucketName)", stderr);

        Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "create-bucket", "--bucket", "twice")).ExitCode);
        (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "create-bucket", "--bucket", "twice");
        Assert.NotEqual(0, exit);
        Assert.Contains("(BucketAlreadyOwnedByYou)", stderr);

        (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "delete-bucket", "--bucket", "missing");
        Assert.NotEqual(0, exit);
        Assert.Contains("(NoSuchBucket)", stderr);

        (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "get-bucket-policy", "--bucket", "twice");
        Assert.NotEqual(0, exit);
        Assert.Contains("(NotImplemented)", stderr);
    }

    [Trait("Store", "Disk")]
    [Fact]
    public async Task BucketsSurviveARestartAndCrashLeftoversAreCleaned()
    {
        string dataDir;
        string certs;
        await using (InProcessServer first = await InProcessServer.StartAsync())
        {
            Assert.Equal(0, (await AwsCli.RunWarmAsync(first.BaseUrl, "s3api", "create-bucket", "--bucket", "kept")).ExitCode);
            string body = Path.GetTempFileName();
            File.WriteAllText(body, "survivor");
            Assert.Equal(0, (await AwsCli.RunWarmAsync(first.BaseUrl, "s3api", "put-object", "--bucket", "kept", "--key", "object", "--body", body)).ExitCode);
            File.Delete(body);
            dataDir = first.DataDir;
            certs = first.CertsDir;
            first.KeepDataDir = true;
        }

        // A write interrupted by a crash leaves a file in the temp directory, or a data file that
        // never made it into the index.
        File.WriteAllText(Path.Combine(dataDir, ".fasts3", "tmp", "interrupted"), "partial");
        string orphan = Path.Combine(dataDir, "buckets", "kept", "data", "ab", Guid.NewGuid().ToString("N"));
        File.WriteAllText(orphan, "never committed");
        await using InProcessServer second = await InProcessServer.StartAsync(certsDir: certs, dataDir: dataDir);
        var (exit, stdout, _) = await AwsCli.RunWarmAsync(second.BaseUrl, "s3api", "list-buckets", "--query", "Buckets[].Name", "--output", "text");
        Assert.Equal(0, exit);
        Assert.Equal("kept", stdout.Trim());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(dataDir, ".fasts3", "tmp")));
        Assert.Contains("unfinished write", second.Log);
        Assert.Contains("removed 1 orphaned data file", second.Log);
        Assert.False(File.Exists(orphan));
        string copy = Path.GetTempFileName();
        Assert.Equal(0, (await AwsCli.RunWarmAsync(second.BaseUrl, "s3api", "get-object", "--bucket", "kept", "--key", "object", copy)).ExitCode);
        Assert.Equal("survivor", File.ReadAllText(copy));
        File.Delete(copy);
    }
}
