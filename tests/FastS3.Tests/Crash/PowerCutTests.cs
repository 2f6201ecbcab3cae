using Amazon.S3;
using Amazon.S3.Model;
using FastS3.Testing;
using Xunit.Abstractions;

namespace FastS3.Tests.Crash;

/// <summary>
/// The crash rounds of <see cref="CrashRounds"/> with a power cut after the SIGKILL: what the server
/// had not made durable (fsync, fdatasync, fsync of the directory) is lost, all of it, a random part
/// of it, or none (see <see cref="PowerCutDisk"/>). The checks are the same as after a SIGKILL
/// alone, so what they test now is "durable before the reply": an acknowledged write that was not
/// synced reads back wrong or not at all. The default run is <see cref="DefaultRounds"/> rounds;
/// FASTS3_POWERCUT_ROUNDS=N runs N, and <see cref="Soak"/> (FASTS3_SOAK=1) <see cref="SoakRounds"/>.
/// </summary>
[RunsLong]
[Trait("Store", "Disk")]
public sealed class PowerCutTests(ITestOutputHelper output)
{
    public const int DefaultRounds = 5;
    public const int SoakRounds = 40;

    [Fact]
    public Task PowerCutDuringConcurrentWritesOfEveryKind() => RunAsync(CrashRounds.Rounds("FASTS3_POWERCUT_ROUNDS", DefaultRounds));

    /// <summary>The same, many more rounds: FASTS3_SOAK=1 dotnet test --filter "FullyQualifiedName~PowerCutTests.Soak".</summary>
    [SoakFact]
    [Trait("Category", "Soak")]
    public Task Soak() => RunAsync(SoakRounds);

    /// <summary>
    /// A new store, its first bucket, an inline and a file-backed object, a completed and an open
    /// multipart upload, then the power cut, losing every unsynced change: all must be there after
    /// the restart. Nothing used to sync DATA_DIR's own entries (.fasts3/, buckets/) nor the bucket's
    /// index directories made at its first use, so the cut took every acknowledged write with them.
    /// </summary>
    [Fact]
    public async Task AFreshStoreKeepsWhatItAcknowledgedThroughAPowerCut()
    {
        const string Bucket = "fresh";
        byte[] small = Content.Bytes(1, new Piece(0, 1000));
        byte[] large = Content.Bytes(2, new Piece(0, 300_000));
        await using PowerCutDisk disk = await PowerCutDisk.MountAsync(PowerCut.Dropped);
        string certsDir = Path.Combine(Directory.CreateTempSubdirectory("fasts3-certs-").FullName, "certs");
        try
        {
            string uploadId;
            await using (ServerProcess server = await ServerProcess.StartAsync(dataDir: disk.DataDir, certsDir: certsDir))
            {
                server.KeepDataDir = true;
                using AmazonS3Client client = SdkClients.Create(server.BaseUrl);
                await client.PutBucketAsync(Bucket);
                await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "small", InputStream = new MemoryStream(small) });
                await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "large", InputStream = new MemoryStream(large) });
                string completed = (await client.InitiateMultipartUploadAsync(Bucket, "multipart")).UploadId;
                UploadPartResponse part = await client.UploadPartAsync(new UploadPartRequest { BucketName = Bucket, Key = "multipart", UploadId = completed, PartNumber = 1, InputStream = new MemoryStream(large) });
                var complete = new CompleteMultipartUploadRequest { BucketName = Bucket, Key = "multipart", UploadId = completed };
                complete.AddPartETags(new PartETag(1, part.ETag));
                await client.CompleteMultipartUploadAsync(complete);
                uploadId = (await client.InitiateMultipartUploadAsync(Bucket, "open")).UploadId;
                await client.UploadPartAsync(new UploadPartRequest { BucketName = Bucket, Key = "open", UploadId = uploadId, PartNumber = 1, InputStream = new MemoryStream(small) });
                await server.KillAsync();
            }

            output.WriteLine(await disk.CutPowerAsync());
            await using (ServerProcess server = await ServerProcess.StartAsync(dataDir: disk.DataDir, certsDir: certsDir))
            {
                server.KeepDataDir = true;
                using AmazonS3Client client = SdkClients.Create(server.BaseUrl);
                Assert.Equal(small, await ReadAsync(client, "small"));
                Assert.Equal(large, await ReadAsync(client, "large"));
                Assert.Equal(large, await ReadAsync(client, "multipart"));
                Assert.Equal([("open", uploadId)], await BucketContents.ListUploadsAsync(client, Bucket));
                Assert.Equal(small.Length, Assert.Single(await BucketContents.ListPartsAsync(client, Bucket, "open", uploadId)).Size);
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(certsDir)!, recursive: true);
        }

        static async Task<byte[]> ReadAsync(AmazonS3Client client, string key)
        {
            using GetObjectResponse response = await client.GetObjectAsync(Bucket, key);
            using var body = new MemoryStream();
            await response.ResponseStream.CopyToAsync(body);
            return body.ToArray();
        }
    }

    private async Task RunAsync(int rounds)
    {
        await using PowerCutDisk disk = await PowerCutDisk.MountAsync();
        await new CrashRounds(disk, output).RunAsync(rounds);
    }
}
