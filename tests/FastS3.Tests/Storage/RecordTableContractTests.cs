using System.Text;
using FastS3.Storage;
using FastS3.Storage.Disk.Index;
using FastS3.Tests.Storage.InMemory;

namespace FastS3.Tests.Storage;

/// <summary>
/// What the S3 layer relies on from any <see cref="IRecordTable"/>, checked on both implementations
/// alike: the disk store's ordered index and the in-memory table the suite's second pass runs on.
/// </summary>
public sealed class RecordTableContractTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fasts3-records-").FullName;
    private readonly List<IAsyncDisposable> _opened = [];

    public static TheoryData<string> Implementations => new() { "disk", "memory" };

    [Theory]
    [MemberData(nameof(Implementations))]
    public async Task WritesAreConditionalAndReportWhatTheyReplaced(string implementation)
    {
        IRecordTable table = Open(implementation);
        Assert.Equal(new RecordWrite(true, null), await table.PutAsync(Utf8("k"), Utf8("one")));

        RecordWrite refused = await table.PutAsync(Utf8("k"), Utf8("two"), (_, exists) => !exists);
        Assert.False(refused.Applied);
        Assert.Equal("one", Text(refused.Previous));

        RecordWrite replaced = await table.PutAsync(Utf8("k"), Utf8("two"), (current, exists) => exists && current.SequenceEqual(Utf8("one")));
        Assert.True(replaced.Applied);
        Assert.Equal("one", Text(replaced.Previous));

        Assert.False((await table.DeleteAsync(Utf8("k"), (current, _) => current.SequenceEqual(Utf8("one")))).Applied);
        Assert.True(table.TryGet(Utf8("k"), out byte[]? kept));
        Assert.Equal("two", Text(kept));

        RecordWrite deleted = await table.DeleteAsync(Utf8("k"));
        Assert.Equal("two", Text(deleted.Previous));
        Assert.False(table.TryGetReadOnly(Utf8("k"), out _));
        Assert.Equal(new RecordWrite(true, null), await table.DeleteAsync(Utf8("never")));
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public async Task AnAlongsideRecordIsWrittenOnlyWithItsKeysRecord(string implementation)
    {
        IRecordTable table = Open(implementation);
        await table.PutAsync(Utf8("object"), Utf8("old"));
        Assert.False((await table.PutAsync(Utf8("object"), Utf8("new"), (_, exists) => !exists, Utf8("\xff-completed"), Utf8("done"))).Applied);
        Assert.False(table.TryGet(Utf8("\xff-completed"), out _));

        Assert.True((await table.PutAsync(Utf8("object"), Utf8("new"), null, Utf8("\xff-completed"), Utf8("done"))).Applied);
        Assert.True(table.TryGet(Utf8("\xff-completed"), out byte[]? alongside));
        Assert.Equal("done", Text(alongside));
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public async Task CursorsWalkInUnsignedByteOrderFromWhereTheySeek(string implementation)
    {
        IRecordTable table = Open(implementation);
        string[] keys = ["a", "a/b", "a/c", "b", "é", "\u00ff", "\uffff"];
        foreach (string key in keys.Reverse())
        {
            await table.PutAsync(Utf8(key), Utf8("v:" + key));
        }

        Assert.Equal(keys, Walk(table.Seek([])));
        Assert.Equal(keys[1..], Walk(table.Seek(Utf8("a/"))));
        Assert.Equal(keys[2..], Walk(table.SeekAfter(Utf8("a/b"))));
        Assert.Equal(keys[2..], Walk(table.SeekAfter(Utf8("a/bb"))));

        using IRecordCursor cursor = table.Seek(Utf8("a"));
        Assert.True(cursor.MoveNext());
        Assert.Equal("v:a", Text(cursor.Value.ToArray()));
        cursor.SeekAfter(Utf8("b"));
        Assert.True(cursor.MoveNext());
        Assert.Equal("é", Text(cursor.Key.ToArray()));
        cursor.Seek(Utf8("\uffff"));
        Assert.True(cursor.MoveNext());
        Assert.False(cursor.MoveNext());
    }

    public void Dispose()
    {
        foreach (IAsyncDisposable opened in _opened)
        {
            opened.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private IRecordTable Open(string implementation)
    {
        if (implementation == "memory")
        {
            return new MemoryRecordTable();
        }

        OrderedIndex index = OrderedIndex.Open(Path.Combine(_directory, "index"));
        _opened.Add(index);
        return index;
    }

    private static List<string> Walk(IRecordCursor cursor)
    {
        using (cursor)
        {
            var keys = new List<string>();
            while (cursor.MoveNext())
            {
                Assert.Equal("v:" + Text(cursor.Key.ToArray()), Text(cursor.Value.ToArray()));
                keys.Add(Text(cursor.Key.ToArray()));
            }

            return keys;
        }
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[]? bytes) => Encoding.UTF8.GetString(bytes!);
}
