using FastS3.Storage;
using FastS3.Storage.Disk;
using FastS3.Storage.Disk.Index;
using FastS3.Testing;
using Xunit.Abstractions;

namespace FastS3.Tests.Crash;

/// <summary>
/// The crash rounds of <see cref="CrashRounds"/> on a plain directory: SIGKILL loses what the server
/// process held, never what it wrote (see <see cref="PowerCutTests"/> for that). The default run is
/// <see cref="DefaultRounds"/> rounds (well under two minutes on two cores); FASTS3_CRASH_ROUNDS=N
/// runs N, and <see cref="Soak"/> (skipped unless FASTS3_SOAK=1) runs <see cref="SoakRounds"/>.
/// </summary>
[RunsLong]
[Trait("Store", "Disk")]
public sealed class CrashRestartTests(ITestOutputHelper output)
{
    public const int DefaultRounds = 5;
    public const int SoakRounds = 60;

    [Fact]
    public Task SigkillDuringConcurrentWritesOfEveryKind() => RunAsync(CrashRounds.Rounds("FASTS3_CRASH_ROUNDS", DefaultRounds));

    /// <summary>The same, many more rounds: FASTS3_SOAK=1 dotnet test --filter "FullyQualifiedName~CrashRestartTests.Soak".</summary>
    [SoakFact]
    [Trait("Category", "Soak")]
    public Task Soak() => RunAsync(SoakRounds);

    /// <summary>
    /// The narrowest window of the rounds above, laid out directly: a Complete committed its object
    /// (and the record of its completion), a PUT replaced that object and deleted its parts, and the
    /// process died before the Complete removed the upload. Start-up must finish the upload off
    /// rather than list it with its part files gone, leave only the new object's file, and still
    /// know the upload as completed.
    /// </summary>
    [Fact]
    public async Task StartupFinishesACompleteWhoseObjectWasReplacedBeforeTheUploadWasRemoved()
    {
        string root = Directory.CreateTempSubdirectory("fasts3-crash-").FullName;
        try
        {
            byte[] key = "k"u8.ToArray();
            byte[] uploadId = new byte[MultipartUploads.UploadIdSize];
            MultipartUploads.NewUploadId(uploadId);
            var replacement = Guid.NewGuid();
            await using (var store = DiskStore.Open(root, new DiskStoreOptions(), SilentLog.Instance.Warning))
            {
                Assert.True(store.TryCreateBucket("bucket"));
                var bucket = (DiskBucket)store.FindBucket("bucket"u8)!;
                await bucket.Uploads.Records.PutAsync(MultipartUploads.UploadKey(key, uploadId), Record(0, Guid.Empty, 0));

                // Parts 1 and 2 go into the object; part 3 was uploaded but left out of the Complete.
                var parts = new List<PartEntry>();
                for (int number = 1; number <= 3; number++)
                {
                    var dataId = Guid.NewGuid();
                    await File.WriteAllBytesAsync(bucket.DataPath(dataId), new byte[number]);
                    await bucket.Uploads.Records.PutAsync(MultipartUploads.PartKey(uploadId, number), Record(0, dataId, number));
                    if (number < 3)
                    {
                        parts.Add(new PartEntry(number, dataId, number, number));
                    }
                }

                var tableId = Guid.NewGuid();
                await File.WriteAllBytesAsync(bucket.DataPath(tableId), PartTable.Build(uploadId, [.. parts]));
                await bucket.CompletedUploads.PublishAsync(key, uploadId, Record((byte)RecordFlags.Multipart, tableId, 3), new byte[32], checksumDeclared: false, null);

                await File.WriteAllBytesAsync(bucket.DataPath(replacement), [42]);
                RecordWrite replaced = await bucket.Objects.PutAsync(key, Record(0, replacement, 1));
                await bucket.DeleteDataOfAsync(replaced.Previous);
            }

            await using (var store = DiskStore.Open(root, new DiskStoreOptions(), SilentLog.Instance.Warning))
            {
                var bucket = (DiskBucket)store.FindBucket("bucket"u8)!;
                using (IRecordCursor uploads = bucket.Uploads.Records.Seek([]))
                {
                    Assert.False(uploads.MoveNext(), "start-up kept the upload (or its part records) though its parts are gone");
                }

                Assert.Equal([bucket.DataPath(replacement)], Directory.EnumerateFiles(bucket.DataDirectory, "*", SearchOption.AllDirectories));
                Assert.True(bucket.CompletedUploads.TryGet(uploadId, key, out _));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        static byte[] Record(byte flags, Guid dataId, long size)
        {
            var record = new ObjectRecord.Builder(flags, dataId, size, size, DateTimeOffset.UtcNow);
            try
            {
                record.Add(RecordField.ETag, "0123456789abcdef0123456789abcdef"u8);
                return record.Written.ToArray();
            }
            finally
            {
                record.Dispose();
            }
        }
    }

    private async Task RunAsync(int rounds)
    {
        await using var disk = new PageCacheDisk();
        await new CrashRounds(disk, output).RunAsync(rounds);
    }
}
