using FastS3.Basics;
using FastS3.Storage;
using FastS3.Storage.Disk;
using FastS3.Testing;

namespace FastS3.Tests.Storage;

/// <summary>
/// Setting an object's tags rewrites its record alone and never undoes a write that came between
/// the record's read and the tag write; a record from before tags existed reads as having none.
/// </summary>
[Trait("Store", "Disk")]
public sealed class ObjectTagsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fasts3-tags-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task ATagUpdateRacingOverwritesTagsTheLatestObjectAndNeverRestoresAnEarlierOne()
    {
        await using var store = DiskStore.Open(_root, new DiskStoreOptions(), SilentLog.Instance.Warning);
        Assert.True(store.TryCreateBucket("bucket"));
        Bucket bucket = store.FindBucket("bucket"u8)!;
        byte[] key = "contended"u8.ToArray();
        byte[] tags = StoredTags.Encode([new("t", "v")]);
        const int Writes = 2000;
        var written = new List<Guid>();
        await bucket.Objects.PutAsync(key, Record(Guid.NewGuid()));

        // Overwrites in one task, tag updates in two others, as fast as they go; the overwrites go on
        // (within a bound) until a tag update got through, which a busy machine may delay.
        using var done = new CancellationTokenSource();
        int applied = 0;
        Task overwrites = Task.Run(async () =>
        {
            for (int i = 0; i < Writes || (Volatile.Read(ref applied) == 0 && i < 50 * Writes); i++)
            {
                written.Add(Guid.NewGuid());
                await bucket.Objects.PutAsync(key, Record(written[^1]));
            }

            done.Cancel();
        });
        Task[] taggers = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                if (await bucket.SetObjectTagsAsync(key, tags) == TagUpdate.Applied)
                {
                    Interlocked.Increment(ref applied);
                }
            }
        }))];
        await Task.WhenAll([overwrites, .. taggers]);

        Assert.True(applied > 0, "no tag update applied");
        Assert.True(bucket.Objects.TryGet(key, out byte[]? final));
        Assert.True(ObjectRecord.TryRead(final, out ObjectRecord record));
        Assert.Equal(written[^1], record.DataId);

        // And with nothing racing, the tags land on the last object, its record otherwise unchanged.
        Assert.Equal(TagUpdate.Applied, await bucket.SetObjectTagsAsync(key, tags));
        Assert.True(bucket.Objects.TryGet(key, out final));
        Assert.True(ObjectRecord.TryRead(final, out record));
        Assert.Equal(written[^1], record.DataId);
        Assert.Equal(1, StoredTags.Count(record.Field(RecordField.Tags)));
        Assert.Equal("etag"u8.ToArray(), record.ETag.ToArray());
        Assert.Equal(TagUpdate.NoSuchObject, await bucket.SetObjectTagsAsync("missing"u8.ToArray(), tags));
    }

    [Fact]
    public void ARecordWithoutTagsReadsAsUntaggedAndGainsAndLosesThemInPlace()
    {
        byte[] untagged = Record(Guid.NewGuid());
        Assert.True(ObjectRecord.TryRead(untagged, out ObjectRecord record));
        Assert.Equal(0, StoredTags.Count(record.Field(RecordField.Tags)));

        byte[] tags = StoredTags.Encode([new("a", "1"), new("é", "")]);
        Assert.True(ObjectRecord.TryRead(record.With(RecordField.Tags, tags), out ObjectRecord tagged));
        Assert.Equal(2, StoredTags.Count(tagged.Field(RecordField.Tags)));
        StoredTags.Enumerator each = StoredTags.Enumerate(tagged.Field(RecordField.Tags));
        List<string> read = [];
        while (each.MoveNext())
        {
            read.Add($"{System.Text.Encoding.UTF8.GetString(each.Key)}={System.Text.Encoding.UTF8.GetString(each.Value)}");
        }

        Assert.Equal(["a=1", "é="], read);
        Assert.Equal((record.DataId, record.Size, record.LastModified, "etag"), (tagged.DataId, tagged.Size, tagged.LastModified, System.Text.Encoding.ASCII.GetString(tagged.ETag)));
        Assert.Equal(untagged, tagged.With(RecordField.Tags, []));
    }

    private static byte[] Record(Guid dataId)
    {
        var builder = new ObjectRecord.Builder(0, dataId, 1, 1, DateTimeOffset.UnixEpoch);
        try
        {
            builder.Add(RecordField.ETag, "etag"u8);
            builder.Add(RecordField.ContentType, "text/plain"u8);
            return builder.Written.ToArray();
        }
        finally
        {
            builder.Dispose();
        }
    }
}
