using FastS3.Storage;
using FastS3.Storage.Disk.Index;
using static FastS3.Tests.Storage.Disk.Index.IndexTestData;

namespace FastS3.Tests.Storage.Disk.Index;

[Trait("Store", "Disk")]
public sealed class OrderedIndexTests : IDisposable
{
    private readonly string _directory = NewDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Keys that trip up signed, culture-aware or length-first comparisons.</summary>
    private static readonly byte[][] AwkwardKeys =
    [
        [],
        [0x00],
        [0x00, 0x00],
        [0x00, 0xFF],
        [0x01],
        [0x7F],
        [0x80],
        [0xFF],
        [0xFF, 0x00],
        [0xFF, 0xFF],
        Utf8("/"),
        Utf8("//"),
        Utf8("a"),
        Utf8("a/"),
        Utf8("a/b"),
        Utf8("a/b/"),
        Utf8("a/b/c.txt"),
        Utf8("a0"),
        Utf8("ab"),
        Utf8("A"),
        Utf8("é"),
        Utf8("e\u0301"),
        Utf8("日本/写真.jpg"),
        Utf8("😀"),
        Utf8("photos/2026/11/27/IMG_000123.jpg"),
        Utf8("photos/2026/11/27/IMG_000123.jpg.bak"),
        [.. Enumerable.Repeat((byte)'a', OrderedIndex.MaxKeyLength)],
        [.. Enumerable.Repeat((byte)'a', OrderedIndex.MaxKeyLength - 1), 0x00],
        [.. Enumerable.Repeat((byte)0xFF, OrderedIndex.MaxKeyLength)],
    ];

    [Fact]
    public async Task PutGetOverwriteDelete()
    {
        await using OrderedIndex index = OrderedIndex.Open(_directory);
        Assert.False(index.TryGet(Utf8("a"), out _));

        Assert.Equal(new RecordWrite(true, null), await index.PutAsync(Utf8("a"), Utf8("one")));
        Assert.True(index.TryGet(Utf8("a"), out byte[]? value));
        Assert.Equal(Utf8("one"), value);
        Assert.Equal(1, index.Count);

        RecordWrite replaced = await index.PutAsync(Utf8("a"), Utf8("two"));
        Assert.True(replaced.Applied);
        Assert.Equal(Utf8("one"), replaced.Previous);
        Assert.Equal(1, index.Count);

        // An empty value is a value, not a delete.
        await index.PutAsync(Utf8("empty"), Array.Empty<byte>());
        Assert.True(index.TryGet(Utf8("empty"), out value));
        Assert.Empty(value);

        RecordWrite deleted = await index.DeleteAsync(Utf8("a"));
        Assert.True(deleted.Applied);
        Assert.Equal(Utf8("two"), deleted.Previous);
        Assert.False(index.TryGet(Utf8("a"), out _));
        Assert.Equal(1, index.Count);

        Assert.Equal(new RecordWrite(true, null), await index.DeleteAsync(Utf8("a")));
        Assert.Equal(new RecordWrite(true, null), await index.DeleteAsync(Utf8("never")));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public async Task PreconditionsSeeTheCurrentValue()
    {
        await using OrderedIndex index = OrderedIndex.Open(_directory);
        RecordCondition ifNoneMatch = (_, exists) => !exists;

        Assert.True((await index.PutAsync(Utf8("k"), Utf8("v1"), ifNoneMatch)).Applied);
        RecordWrite refused = await index.PutAsync(Utf8("k"), Utf8("v2"), ifNoneMatch);
        Assert.False(refused.Applied);
        Assert.Equal(Utf8("v1"), refused.Previous);

        RecordCondition IfMatch(string expected) => (current, exists) => exists && current.SequenceEqual(Utf8(expected));
        Assert.False((await index.PutAsync(Utf8("k"), Utf8("v2"), IfMatch("v0"))).Applied);
        Assert.True((await index.PutAsync(Utf8("k"), Utf8("v2"), IfMatch("v1"))).Applied);
        Assert.False((await index.DeleteAsync(Utf8("k"), IfMatch("v1"))).Applied);
        Assert.True((await index.DeleteAsync(Utf8("k"), IfMatch("v2"))).Applied);
        Assert.False((await index.DeleteAsync(Utf8("k"), IfMatch("v2"))).Applied);
        Assert.False(index.TryGet(Utf8("k"), out _));
    }

    [Fact]
    public async Task ConditionalCreatesRacingForOneKeyHaveOneWinner()
    {
        await using OrderedIndex index = OrderedIndex.Open(_directory);
        RecordWrite[] results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            Task.Run(async () => await index.PutAsync(Utf8("contested"), Utf8($"writer {i}"), (_, exists) => !exists))));

        RecordWrite winner = Assert.Single(results, result => result.Applied);
        Assert.True(index.TryGet(Utf8("contested"), out byte[]? value));
        Assert.All(results.Where(result => !result.Applied), loser => Assert.Equal(value, loser.Previous));
        Assert.Null(winner.Previous);
    }

    [Fact]
    public async Task ReturnedArraysAreTheCallersOwn()
    {
        await using OrderedIndex index = OrderedIndex.Open(_directory);
        await index.PutAsync(Utf8("k"), Utf8("value"));

        Assert.True(index.TryGet(Utf8("k"), out byte[]? value));
        value[0] = (byte)'X';
        byte[]? previous = (await index.PutAsync(Utf8("k"), Utf8("value2"))).Previous;
        Assert.Equal(Utf8("value"), previous);
        previous![0] = (byte)'X';
        Assert.True(index.TryGet(Utf8("k"), out value));
        Assert.Equal(Utf8("value2"), value);
    }

    [Fact]
    public async Task SizeLimitsAreEnforced()
    {
        await using OrderedIndex index = OrderedIndex.Open(_directory);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await index.PutAsync(new byte[OrderedIndex.MaxKeyLength + 1], Utf8("v")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await index.PutAsync(Utf8("k"), new byte[OrderedIndex.MaxValueLength + 1]));

        byte[] largest = new byte[OrderedIndex.MaxValueLength];
        Random.Shared.NextBytes(largest);
        await index.PutAsync(new byte[OrderedIndex.MaxKeyLength], largest);
        Assert.True(index.TryGet(new byte[OrderedIndex.MaxKeyLength], out byte[]? value));
        Assert.Equal(largest, value);
    }

    [Theory]
    [InlineData("memtable")]
    [InlineData("tables")]
    [InlineData("reopened")]
    public async Task AwkwardKeysSortAsUnsignedBytes(string where)
    {
        // A one-byte memtable flushes after every commit group; MaxTables keeps several tables apart.
        var options = where == "memtable" ? new OrderedIndexOptions() : new OrderedIndexOptions { MemtableSize = 1, MaxTables = 8, BlockSize = 64 };
        var model = new SortedDictionary<byte[], byte[]>(Ordinal);
        OrderedIndex index = OrderedIndex.Open(_directory, options);
        try
        {
            foreach (byte[] key in AwkwardKeys.Reverse())
            {
                byte[] value = Utf8(Convert.ToHexString(key));
                await index.PutAsync(key, value);
                model[key] = value;
            }

            // Delete two and shadow one, so tombstones and old versions sit in older tables.
            await index.DeleteAsync(Utf8("a/b"));
            await index.DeleteAsync(new byte[] { 0xFF });
            await index.PutAsync(Utf8("a"), Utf8("newer"));
            model.Remove(Utf8("a/b"));
            model.Remove([0xFF]);
            model[Utf8("a")] = Utf8("newer");

            if (where == "reopened")
            {
                await index.DisposeAsync();
                index = OrderedIndex.Open(_directory, options);
            }
            else
            {
                await index.WaitForBackgroundWorkAsync();
            }

            Assert.True(where == "memtable" ? index.TableCount == 0 : index.TableCount > 1);
            AssertSame(model, index);

            byte[][] sorted = [.. model.Keys];
            foreach (byte[] probe in AwkwardKeys.Concat([Utf8("a/b"), Utf8("a/a"), Utf8("zzz"), [0xFF, 0xFF, 0xFF]]))
            {
                int first = Array.FindIndex(sorted, key => Ordinal.Compare(key, probe) >= 0);
                int after = Array.FindIndex(sorted, key => Ordinal.Compare(key, probe) > 0);
                Assert.Equal(First(first), Scan(index, probe, 1).Select(entry => entry.Key).FirstOrDefault());
                using IndexIterator iterator = index.SeekAfter(probe);
                Assert.Equal(First(after), iterator.MoveNext() ? iterator.Key.ToArray() : null);
            }

            byte[]? First(int position) => position < 0 ? null : sorted[position];
        }
        finally
        {
            await index.DisposeAsync();
        }
    }

    [Fact]
    public async Task IteratorCanSeekAgainAndEnds()
    {
        await using OrderedIndex index = OrderedIndex.Open(_directory);
        foreach (string key in new[] { "a/1", "a/2", "b/1", "b/2", "c/1" })
        {
            await index.PutAsync(Utf8(key), Utf8(key));
        }

        using IndexIterator iterator = index.Seek(Utf8("a/"));
        Assert.Throws<InvalidOperationException>(() => iterator.Key.Length);
        Assert.True(iterator.MoveNext());
        Assert.Equal(Utf8("a/1"), iterator.Key.ToArray());

        // Skip the rest of the "a/" common prefix, as a delimiter listing does.
        iterator.Seek(Utf8("a0"));
        Assert.True(iterator.MoveNext());
        Assert.Equal(Utf8("b/1"), iterator.Key.ToArray());

        iterator.SeekAfter(Utf8("b/2"));
        Assert.True(iterator.MoveNext());
        Assert.Equal(Utf8("c/1"), iterator.Key.ToArray());
        Assert.False(iterator.MoveNext());
        Assert.False(iterator.MoveNext());
    }

    [Fact]
    public async Task IteratorKeepsReadingTablesThatCompactionReplaced()
    {
        var options = new OrderedIndexOptions { MemtableSize = 2048, MaxTables = 2, BlockSize = 256 };
        await using OrderedIndex index = OrderedIndex.Open(_directory, options);
        var expected = new List<string>();
        for (int i = 0; i < 400; i++)
        {
            string key = $"key/{i:D4}";
            expected.Add(key);
            await index.PutAsync(Utf8(key), Utf8(key + new string('v', 50)));
        }

        await index.WaitForBackgroundWorkAsync();
        using IndexIterator iterator = index.Seek([]);
        Assert.True(iterator.MoveNext());
        string[] pinned = Directory.GetFiles(_directory, "*.tbl");

        // Overwrite everything twice with as much data: flushes and compactions replace every
        // table the iterator uses.
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 400; i += 8)
            {
                await Task.WhenAll(Enumerable.Range(i, 8).Select(async j => await index.PutAsync(Utf8($"key/{j:D4}"), Utf8($"key/{j:D4}" + new string('w', 50)))));
            }
        }

        await index.WaitForBackgroundWorkAsync();
        Assert.All(pinned, path => Assert.True(File.Exists(path)));

        var seen = new List<string> { System.Text.Encoding.UTF8.GetString(iterator.Key) };
        while (iterator.MoveNext())
        {
            seen.Add(System.Text.Encoding.UTF8.GetString(iterator.Key));
        }

        Assert.Equal(expected, seen);
        iterator.Dispose();
        Assert.Contains(pinned, path => !File.Exists(path));
    }

    [Fact]
    public async Task LargeTablesReadCorrectlyAcrossReadAheadWindows()
    {
        // Tables of a few MB, with values from empty to the 64 KiB maximum, so blocks straddle the
        // cursor's read-ahead window and some blocks are bigger than the window.
        var options = new OrderedIndexOptions { MemtableSize = 512 * 1024, MaxTables = 2 };
        var model = new SortedDictionary<byte[], byte[]>(Ordinal);
        var random = new Random(5);
        await using OrderedIndex index = OrderedIndex.Open(_directory, options);
        for (int batch = 0; batch < 40; batch++)
        {
            var writes = new List<Task>();
            for (int i = 0; i < 50; i++)
            {
                byte[] key = Utf8($"large/{random.Next(100_000):D6}");
                byte[] value = new byte[random.Next(8) == 0 ? random.Next(OrderedIndex.MaxValueLength + 1) : random.Next(3000)];
                random.NextBytes(value);
                model[key] = value;
                writes.Add(index.PutAsync(key, value).AsTask());
            }

            await Task.WhenAll(writes);
        }

        await index.WaitForBackgroundWorkAsync();
        Assert.True(index.TableCount > 0);
        AssertSame(model, index);
        byte[][] keys = [.. model.Keys];
        for (int i = 0; i < 50; i++)
        {
            int first = random.Next(keys.Length);
            Assert.Equal(model.Skip(first).Take(100).Select(pair => (pair.Key, pair.Value)), Scan(index, keys[first], 100));
        }
    }

    [Fact]
    public async Task ReopenReturnsEverything()
    {
        var options = new OrderedIndexOptions { MemtableSize = 16 * 1024, MaxTables = 3 };
        var model = new SortedDictionary<byte[], byte[]>(Ordinal);
        await using (OrderedIndex index = OrderedIndex.Open(_directory, options))
        {
            for (int batch = 0; batch < 40; batch++)
            {
                var writes = new List<Task>();
                for (int i = 0; i < 25; i++)
                {
                    byte[] key = Utf8($"objects/{(batch * 37 + i * 11) % 700:D5}");
                    byte[] value = Utf8($"{batch}-{i}-" + new string('m', 100));
                    model[key] = value;
                    writes.Add(index.PutAsync(key, value).AsTask());
                }

                await Task.WhenAll(writes);
            }

            Assert.True(index.TableCount > 0);
        }

        await using (OrderedIndex index = OrderedIndex.Open(_directory, options))
        {
            AssertSame(model, index);
        }
    }

    [Fact]
    public async Task ASecondOpenOfTheDirectoryFails()
    {
        await using OrderedIndex index = OrderedIndex.Open(_directory);
        Assert.Throws<IOException>(() => OrderedIndex.Open(_directory));
    }

    [Fact]
    public async Task DisposedIndexRefusesWork()
    {
        OrderedIndex index = OrderedIndex.Open(_directory);
        await index.PutAsync(Utf8("k"), Utf8("v"));
        await index.DisposeAsync();
        await index.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await index.PutAsync(Utf8("k"), Utf8("v")));
        Assert.Throws<ObjectDisposedException>(() => index.TryGet(Utf8("k"), out _));
        Assert.Throws<ObjectDisposedException>(() => index.Seek([]));
    }

    [Theory]
    [InlineData(new long[] { 1, 1, 1, 1, 1 }, 4, 5)]
    [InlineData(new long[] { 1, 1, 1, 1, 5 }, 4, 4)]
    [InlineData(new long[] { 1, 1, 1, 4, 5 }, 4, 3)]
    [InlineData(new long[] { 1, 100, 1000, 10000, 100000 }, 4, 2)]
    [InlineData(new long[] { 1, 100, 1000, 10000, 100000, 1000000 }, 4, 3)]
    public void CompactionMergesNewestTablesOfComparableSize(long[] sizes, int maxTables, int expected)
        => Assert.Equal(expected, OrderedIndex.PickCompaction(sizes, maxTables));
}
