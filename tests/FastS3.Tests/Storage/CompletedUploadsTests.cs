using System.Buffers.Binary;
using FastS3.Storage;
using FastS3.Storage.Disk;
using FastS3.Testing;

namespace FastS3.Tests.Storage;

/// <summary>
/// The records of completed uploads: answered within their lifetime, then swept (by Completes and
/// at start-up), never while their upload record is still there, and never listed as objects.
/// </summary>
[Trait("Store", "Disk")]
public sealed class CompletedUploadsTests : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private static readonly byte[] Digest = new byte[32];

    private readonly string _root = Directory.CreateTempSubdirectory("fasts3-completed-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task ExpiredRecordsGoUnlessTheirUploadIsStillThere()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        (string Name, byte[] UploadId, DateTimeOffset Completed)[] uploads =
        [
            ("expired", UploadId(now - (3 * Lifetime)), now - (2 * Lifetime)),
            ("begun long ago, completed lately", UploadId(now - (3 * Lifetime)), now - TimeSpan.FromMinutes(1)),
            ("expired, begun after the one completed lately", UploadId(now - (2.5 * Lifetime)), now - (2 * Lifetime)),
            ("expired, its upload record left behind", UploadId(now - (2 * Lifetime)), now - (2 * Lifetime)),
            ("lately", UploadId(now - TimeSpan.FromMinutes(1)), now),
        ];
        string leftBehind = uploads[3].Name;
        var options = new DiskStoreOptions { CompletedUploadLifetime = Lifetime };
        await using (var store = DiskStore.Open(_root, options, SilentLog.Instance.Warning))
        {
            Assert.True(store.TryCreateBucket("bucket"));
            Bucket bucket = store.FindBucket("bucket"u8)!;
            foreach ((string name, byte[] uploadId, DateTimeOffset completed) in uploads)
            {
                byte[] key = Key(name);
                if (name == leftBehind)
                {
                    await bucket.Uploads.Records.PutAsync(MultipartUploads.UploadKey(key, uploadId), ObjectRecordAt(now - (2 * Lifetime)));
                }

                Assert.True((await bucket.CompletedUploads.PublishAsync(key, uploadId, ObjectRecordAt(completed), Digest, checksumDeclared: false, null)).Applied);
            }

            // Each object and its completion's record are in the index; the records sort after every object.
            List<byte[]> keys = Scan(bucket.Objects);
            Assert.Equal(2 * uploads.Length, keys.Count);
            Assert.Equal(uploads.Select(upload => upload.Name).Order(StringComparer.Ordinal), keys.TakeWhile(key => Bucket.IsObjectKey(key)).Select(Name));

            Assert.Equal(["begun long ago, completed lately", "lately"], Answered(bucket, uploads));
            await bucket.CompletedUploads.SweepAsync(bucket.Uploads);
            Assert.Equal(["begun long ago, completed lately", "expired, its upload record left behind", "lately"], Kept(bucket, uploads));
        }

        // Start-up finishes the upload left behind off (its record says it completed), then forgets the record.
        await using (var store = DiskStore.Open(_root, options, SilentLog.Instance.Warning))
        {
            Bucket bucket = store.FindBucket("bucket"u8)!;
            Assert.Empty(Scan(bucket.Uploads.Records));
            Assert.Equal(["begun long ago, completed lately", "lately"], Kept(bucket, uploads));
        }
    }

    private static byte[] Key(string name) => System.Text.Encoding.UTF8.GetBytes(name);

    private static string Name(byte[] key) => System.Text.Encoding.UTF8.GetString(key);

    private static byte[] UploadId(DateTimeOffset created)
    {
        byte[] id = new byte[MultipartUploads.UploadIdSize];
        MultipartUploads.NewUploadId(id);
        BinaryPrimitives.WriteInt64BigEndian(id, created.UtcTicks);
        return id;
    }

    private static byte[] ObjectRecordAt(DateTimeOffset time)
    {
        var record = new ObjectRecord.Builder(0, Guid.Empty, 0, 0, time);
        try
        {
            record.Add(RecordField.ETag, "0123456789abcdef0123456789abcdef-1"u8);
            return record.Written.ToArray();
        }
        finally
        {
            record.Dispose();
        }
    }

    private static List<string> Answered(Bucket bucket, (string Name, byte[] UploadId, DateTimeOffset Completed)[] uploads)
        => [.. uploads.Where(upload => bucket.CompletedUploads.TryGet(upload.UploadId, Key(upload.Name), out _)).Select(upload => upload.Name)];

    private static List<string> Kept(Bucket bucket, (string Name, byte[] UploadId, DateTimeOffset Completed)[] uploads)
        => [.. uploads.Where(upload => bucket.CompletedUploads.Contains(upload.UploadId, Key(upload.Name))).Select(upload => upload.Name)];

    private static List<byte[]> Scan(IRecordTable index)
    {
        var keys = new List<byte[]>();
        using IRecordCursor iterator = index.Seek([]);
        while (iterator.MoveNext())
        {
            keys.Add(iterator.Key.ToArray());
        }

        return keys;
    }
}
