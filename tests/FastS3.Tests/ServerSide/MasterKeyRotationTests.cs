using System.Security.Cryptography;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests.ServerSide;

/// <summary>
/// The master key as an operator rotates it: objects written under key A read after a restart with
/// B (and A given as the previous key), then with B alone; a key that does not open the ring, or a
/// malformed one, stops the start in one line instead of making a second ring.
/// </summary>
[Trait("Store", "Disk")]
public sealed class MasterKeyRotationTests
{
    private static readonly byte[] Body = "sealed under the ring, the ring under the master key"u8.ToArray();

    [Fact]
    public async Task TheRingMovesToANewMasterKeyAndObjectsStayReadable()
    {
        string a = Key("master-a"), b = Key("master-b");
        string dataDir, certsDir;
        await using (InProcessServer first = await Start(null, null, ("FASTS3_KMS_SECRET_KEY", a)))
        {
            await RawMultipart.CreateBucketAsync(first, "bucket");
            await RawMultipart.PutObjectAsync(first, "bucket", "s3", Body, "x-amz-server-side-encryption:AES256");
            await RawMultipart.PutObjectAsync(first, "bucket", "kms", Body, "x-amz-server-side-encryption:aws:kms");
            (dataDir, certsDir) = (first.DataDir, first.CertsDir);
            first.KeepDataDir = true;
        }

        // B alone cannot open a ring sealed under A: the start fails, saying so (on a copy: a failed start removes its DATA_DIR).
        var refused = await Assert.ThrowsAsync<FormatException>(() => Start(Copy(dataDir), certsDir, ("FASTS3_KMS_SECRET_KEY", b)));
        Assert.Contains("master-a", refused.Message);

        await using (InProcessServer rotating = await Start(dataDir, certsDir, ("FASTS3_KMS_SECRET_KEY", b), ("FASTS3_KMS_PREVIOUS_SECRET_KEY", a)))
        {
            Assert.Contains("sealed again under master key master-b", rotating.Log);
            await AssertReadableAsync(rotating);
            rotating.KeepDataDir = true;
        }

        await using InProcessServer rotated = await Start(dataDir, certsDir, ("FASTS3_KMS_SECRET_KEY", b));
        await AssertReadableAsync(rotated);
        await Assert.ThrowsAsync<FormatException>(() => Start(Copy(dataDir), certsDir, ("FASTS3_KMS_SECRET_KEY", a)));
        await Assert.ThrowsAsync<FormatException>(() => Start(Copy(dataDir), certsDir, ("FASTS3_KMS_SECRET_KEY", "master-b:not-base64")));
    }

    private static async Task AssertReadableAsync(TestServer server)
    {
        Assert.Equal(Body, (await RawMultipart.GetAsync(server, "bucket", "s3")).Body);
        Assert.Equal(Body, (await RawMultipart.GetAsync(server, "bucket", "kms")).Body);
    }

    private static string Copy(string dataDir)
    {
        string copy = Directory.CreateTempSubdirectory("fasts3-data-copy-").FullName;
        foreach (string directory in Directory.EnumerateDirectories(dataDir, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(copy, Path.GetRelativePath(dataDir, directory)));
        }

        // Not the indexes' LOCK files: empty, made again on open, and held by a server still running.
        foreach (string file in Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories).Where(file => Path.GetFileName(file) != "LOCK"))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(dataDir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    private static string Key(string name) => $"{name}:{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";

    private static Task<InProcessServer> Start(string? dataDir, string? certsDir, params (string Name, string Value)[] variables)
        => InProcessServer.StartAsync(dataDir: dataDir, certsDir: certsDir, onDisk: true, environment: variables.ToDictionary(v => v.Name, v => v.Value));
}
