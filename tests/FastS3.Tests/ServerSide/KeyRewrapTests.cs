using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using FastS3.Kms;
using FastS3.Storage;
using FastS3.Storage.Disk.Index;
using FastS3.Testing;

namespace FastS3.Tests.ServerSide;

/// <summary>
/// Rotation as an operator lives it: a KMS key rotated under hundreds of objects and an upload in
/// progress, the server SIGKILLed in the middle of the background re-wrap, started again. Every
/// object opens throughout (before, during, after the kill); the restart resumes the pass from its
/// saved cursor; in the end every record is sealed under the newest version and the upload completes.
/// </summary>
[Trait("Store", "Disk")]
public sealed class KeyRewrapTests
{
    private const string Bucket = "rotated";
    private const int Objects = 600;

    [Fact]
    public async Task ARewrapKilledMidwayResumesAndEveryObjectOpensThroughout()
    {
        string[] slow = ["--kms-rewrap-rate", "150"];
        ServerProcess first = await ServerProcess.StartAsync(extraArguments: slow);
        string dataDir = first.DataDir, certsDir = first.CertsDir;
        first.KeepDataDir = true;
        string keyId, uploadId, firstPart;
        try
        {
            await RawMultipart.CreateBucketAsync(first, Bucket);
            keyId = JsonDocument.Parse(await AwsAsync(first, "kms", "create-key")).RootElement.GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
            string[] underKey = ["x-amz-server-side-encryption:aws:kms", $"x-amz-server-side-encryption-aws-kms-key-id:{keyId}"];
            await Parallel.ForEachAsync(Enumerable.Range(0, Objects), new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (i, _) => await RawMultipart.PutObjectAsync(first, Bucket, Name(i), Body(i), underKey));
            await RawMultipart.PutObjectAsync(first, Bucket, "sse-s3", Body(-1), "x-amz-server-side-encryption:AES256");
            uploadId = await RawMultipart.CreateAsync(first, Bucket, "upload", underKey);
            firstPart = await RawMultipart.UploadPartAsync(first, Bucket, "upload", uploadId, 1, new byte[5 * 1024 * 1024]);

            await AwsAsync(first, "kms", "rotate-key-on-demand", "--key-id", keyId);
            Task reads = ReadEveryObjectAsync(first, stopOnFailure: false);
            await WaitForAsync(() => SavedCursor(dataDir) is { Length: > 0 }, "a saved re-wrap cursor");
            await first.KillAsync();
            await reads;
        }
        finally
        {
            await first.DisposeAsync();
        }

        string cursorAtKill = SavedCursor(dataDir)!;
        await using ServerProcess second = await ServerProcess.StartAsync(certsDir: certsDir, dataDir: dataDir, extraArguments: slow);
        await ReadEveryObjectAsync(second, stopOnFailure: true);
        await WaitForAsync(() => second.Log.Contains("kms re-wrap: done", StringComparison.Ordinal), "the re-wrap to finish");
        Assert.Contains($"kms re-wrap: resuming at bucket {Bucket}", second.Log);
        Assert.Equal("", SavedCursor(dataDir));
        string secondPart = await RawMultipart.UploadPartAsync(second, Bucket, "upload", uploadId, 2, "last"u8.ToArray());
        Assert.Equal(200, (await RawMultipart.CompleteAsync(second, Bucket, "upload", uploadId, [new(1, firstPart), new(2, secondPart)])).Status);
        Assert.Equal("last"u8.ToArray(), (await RawMultipart.GetAsync(second, Bucket, "upload", "", "Range:bytes=5242880-5242883")).Body);
        await ReadEveryObjectAsync(second, stopOnFailure: true);
        Assert.Equal(0, await second.StopAsync());
        Assert.NotEqual("", cursorAtKill);

        // On disk: every object of the rotated key is sealed under version 2; the SSE-S3 one, whose key did not rotate, under 1.
        await using var index = OrderedIndex.Open(Path.Combine(dataDir, "buckets", Bucket, "index"));
        for (int i = 0; i < Objects; i++)
        {
            Assert.True(index.TryGet(Encoding.UTF8.GetBytes(Name(i)), out byte[]? value));
            Assert.Equal(2, VersionOf(value));
        }

        Assert.True(index.TryGet("upload"u8, out byte[]? completed));
        Assert.Equal(2, VersionOf(completed));
        Assert.True(index.TryGet("sse-s3"u8, out byte[]? serverKeyed));
        Assert.Equal(1, VersionOf(serverKeyed));
    }

    private static string Name(int i) => $"object-{i:D4}";

    private static byte[] Body(int i) => Encoding.ASCII.GetBytes($"body of object {i}: {new string('x', i & 63)}");

    /// <summary>GETs every object and checks its bytes; during the kill a connection may fail, never an answer.</summary>
    private static async Task ReadEveryObjectAsync(TestServer server, bool stopOnFailure)
    {
        for (int i = 0; i < Objects; i += 7)
        {
            RawResponse response;
            try
            {
                response = await RawMultipart.GetAsync(server, Bucket, Name(i));
            }
            catch (Exception) when (!stopOnFailure)
            {
                return;
            }

            Assert.True(response.Status == 200, $"{Name(i)}: {response.Describe()}");
            Assert.Equal(Body(i), response.Body);
        }
    }

    private static int VersionOf(byte[] record)
    {
        Assert.True(ObjectRecord.TryRead(record, out ObjectRecord read));
        ReadOnlySpan<byte> field = read.Field(RecordField.Encryption);
        return (int)BinaryPrimitives.ReadUInt32BigEndian(field[(1 + 32 + 60)..]);
    }

    private static string? SavedCursor(string dataDir)
    {
        string path = Path.Combine(dataDir, ".fasts3", "state", "kms-rewrap");
        if (!File.Exists(path))
        {
            return null;
        }

        // "1" LF bucket LF table LF last key: the last line is empty until a cursor was saved.
        string[] lines = File.ReadAllText(path).Split('\n');
        return lines.Length == 4 ? lines[3] : "";
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    private static async Task<string> AwsAsync(TestServer server, params string[] arguments)
    {
        var (exit, stdout, stderr) = await AwsCli.RunAsync(server.BaseUrl, arguments);
        Assert.True(exit == 0, stderr);
        return stdout;
    }
}
