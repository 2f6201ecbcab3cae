using System.Security.Cryptography;
using System.Text.Json;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// The S3 core walkthrough with real aws-cli at its default settings (aws-chunked uploads with CRC32
/// trailers, checksum validation on download) against the real server over HTTPS.
/// </summary>
[RunsLong]
[Trait("Store", "Disk")]
public sealed class AwsCliWalkthroughTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("fasts3-awscli-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string MakeFile(string name, int size)
    {
        string path = Path.Combine(_work, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(size));
        return path;
    }

    private static async Task<string> Aws(Uri url, params string[] arguments)
    {
        var (exit, stdout, stderr) = await AwsCli.RunAsync(url, arguments);
        Assert.True(exit == 0, $"aws {string.Join(' ', arguments)} failed ({exit}):\n{stderr}");
        return stdout;
    }

    [Fact]
    public async Task S3ApiObjectLifecycle()
    {
        await using ServerProcess server = await ServerProcess.StartAsync();
        Uri url = server.BaseUrl;
        string diary = MakeFile("my-diary.txt", 100_000);
        await Aws(url, "s3api", "create-bucket", "--bucket", "my-bucket");

        using (JsonDocument put = JsonDocument.Parse(await Aws(url, "s3api", "put-object", "--bucket", "my-bucket", "--key", "my-secret-diary", "--body", diary, "--content-type", "text/plain", "--metadata", "mood=happy")))
        {
            Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(diary)))}\"", put.RootElement.GetProperty("ETag").GetString());
            Assert.True(put.RootElement.TryGetProperty("ChecksumCRC32", out _));
        }

        using (JsonDocument head = JsonDocument.Parse(await Aws(url, "s3api", "head-object", "--bucket", "my-bucket", "--key", "my-secret-diary")))
        {
            Assert.Equal(100_000, head.RootElement.GetProperty("ContentLength").GetInt64());
            Assert.Equal("text/plain", head.RootElement.GetProperty("ContentType").GetString());
            Assert.Equal("happy", head.RootElement.GetProperty("Metadata").GetProperty("mood").GetString());
        }

        string downloaded = Path.Combine(_work, "downloaded");
        await Aws(url, "s3api", "get-object", "--bucket", "my-bucket", "--key", "my-secret-diary", downloaded);
        Assert.Equal(File.ReadAllBytes(diary), File.ReadAllBytes(downloaded));

        string range = Path.Combine(_work, "range");
        using (JsonDocument partial = JsonDocument.Parse(await Aws(url, "s3api", "get-object", "--bucket", "my-bucket", "--key", "my-secret-diary", "--range", "bytes=1000-1999", range)))
        {
            Assert.Equal("bytes 1000-1999/100000", partial.RootElement.GetProperty("ContentRange").GetString());
        }

        Assert.Equal(File.ReadAllBytes(diary)[1000..2000], File.ReadAllBytes(range));

        using (JsonDocument listing = JsonDocument.Parse(await Aws(url, "s3api", "list-objects-v2", "--bucket", "my-bucket")))
        {
            JsonElement only = Assert.Single(listing.RootElement.GetProperty("Contents").EnumerateArray());
            Assert.Equal("my-secret-diary", only.GetProperty("Key").GetString());
            Assert.Equal(100_000, only.GetProperty("Size").GetInt64());
        }

        // Unversioned buckets list every object as version "null", the latest.
        using (JsonDocument versions = JsonDocument.Parse(await Aws(url, "s3api", "list-object-versions", "--bucket", "my-bucket")))
        {
            JsonElement only = Assert.Single(versions.RootElement.GetProperty("Versions").EnumerateArray());
            Assert.Equal("my-secret-diary", only.GetProperty("Key").GetString());
            Assert.Equal("null", only.GetProperty("VersionId").GetString());
            Assert.True(only.GetProperty("IsLatest").GetBoolean());
        }

        using (JsonDocument withOwner = JsonDocument.Parse(await Aws(url, "s3api", "list-objects-v2", "--bucket", "my-bucket", "--fetch-owner")))
        {
            Assert.Equal(AwsCli.AccessKey, withOwner.RootElement.GetProperty("Contents")[0].GetProperty("Owner").GetProperty("DisplayName").GetString());
        }

        await Aws(url, "s3api", "delete-object", "--bucket", "my-bucket", "--key", "my-secret-diary");
        var (exit, _, stderr) = await AwsCli.RunAsync(url, "s3api", "head-object", "--bucket", "my-bucket", "--key", "my-secret-diary");
        Assert.NotEqual(0, exit);
        Assert.Contains("404", stderr);
    }

    [Fact]
    public async Task HighLevelCopySyncListRemove()
    {
        await using ServerProcess server = await ServerProcess.StartAsync();
        Uri url = server.BaseUrl;
        await Aws(url, "s3", "mb", "s3://files");

        foreach ((string name, int size) in new[] { ("empty", 0), ("one-kib", 1024), ("seven-mib", 7 * 1024 * 1024) })
        {
            string source = MakeFile(name, size);
            await Aws(url, "s3", "cp", source, $"s3://files/single/{name}");
            string back = Path.Combine(_work, name + ".back");
            await Aws(url, "s3", "cp", $"s3://files/single/{name}", back);
            Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(back));
        }

        string tree = Path.Combine(_work, "tree");
        foreach (string name in new[] { "a.txt", "dir/b.bin", "dir/sub/c d.txt", "odd/+plus%percent", "odd/ünïcödé" })
        {
            File.Move(MakeFile("staging-" + Guid.NewGuid(), Random.Shared.Next(0, 200_000)), Path.Combine(Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(tree, name))!).FullName, Path.GetFileName(name)));
        }

        await Aws(url, "s3", "sync", tree, "s3://files/tree/");
        string listing = await Aws(url, "s3", "ls", "--recursive", "s3://files/tree/");
        Assert.Contains("tree/dir/sub/c d.txt", listing);
        Assert.Contains("tree/odd/ünïcödé", listing);

        string copy = Path.Combine(_work, "copy");
        await Aws(url, "s3", "sync", "s3://files/tree/", copy);
        foreach (string file in Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(copy, Path.GetRelativePath(tree, file))));
        }

        // A second sync finds nothing to do.
        Assert.DoesNotContain("upload:", await Aws(url, "s3", "sync", tree, "s3://files/tree/"));

        await Aws(url, "s3", "rm", "--recursive", "s3://files/");
        Assert.Equal("", (await Aws(url, "s3", "ls", "--recursive", "s3://files/")).Trim());
        await Aws(url, "s3", "rb", "s3://files");
        Assert.DoesNotContain("files", await Aws(url, "s3", "ls"));
    }
}
