using FastS3.Storage.Disk.Index;
using static FastS3.Tests.Storage.Disk.Index.IndexTestData;

namespace FastS3.Tests.Storage.Disk.Index;

/// <summary>What a crash can leave behind: a torn WAL tail, orphan files, and every step between two durable ones.</summary>
[Trait("Store", "Disk")]
public sealed class OrderedIndexRecoveryTests : IDisposable
{
    private readonly string _directory = NewDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] Key(int i) => Utf8($"objects/{i:D4}");

    private static byte[] Value(int i) => Utf8($"metadata of {i} " + new string('m', i % 40));

    /// <summary>The last write, of one key or of two put together, cut anywhere: none of it replays.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TornWalTailIsCutAtEveryLength(bool twoKeys)
    {
        string source = Path.Combine(_directory, "source");
        await using (OrderedIndex index = OrderedIndex.Open(source))
        {
            for (int i = 0; i < 19; i++)
            {
                await index.PutAsync(Key(i), Value(i));
            }
        }

        string wal = Assert.Single(Directory.GetFiles(source, "*.wal"));
        long before = new FileInfo(wal).Length;
        await using (OrderedIndex index = OrderedIndex.Open(source))
        {
            await (twoKeys ? index.PutAsync(Key(19), Value(19), null, Key(20), Value(20)) : index.PutAsync(Key(19), Value(19)));
        }

        await using (OrderedIndex index = OrderedIndex.Open(source))
        {
            AssertHolds(index, twoKeys ? 21 : 20);
        }

        long after = new FileInfo(wal).Length;
        for (long length = before; length < after; length++)
        {
            string copy = Copy(source, Path.Combine(_directory, $"cut-{length}"));
            using (var file = new FileStream(Path.Combine(copy, Path.GetFileName(wal)), FileMode.Open))
            {
                file.SetLength(length);
            }

            await using (OrderedIndex index = OrderedIndex.Open(copy))
            {
                AssertHolds(index, 19);
                await index.PutAsync(Utf8("after"), Utf8("recovery"));
            }

            // The cut left a clean end: records appended after it replay too.
            await using (OrderedIndex index = OrderedIndex.Open(copy))
            {
                AssertHolds(index, 19, (Utf8("after"), Utf8("recovery")));
            }

            Directory.Delete(copy, recursive: true);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(12)]
    [InlineData(-1)]
    public async Task ReplayStopsAtTheFirstCorruptRecord(int offsetInLastRecord)
    {
        await using (OrderedIndex index = OrderedIndex.Open(_directory))
        {
            for (int i = 0; i < 10; i++)
            {
                await index.PutAsync(Key(i), Value(i));
            }
        }

        string wal = Assert.Single(Directory.GetFiles(_directory, "*.wal"));
        byte[] bytes = await File.ReadAllBytesAsync(wal);
        int lastRecord = bytes.Length - (11 + Key(9).Length + Value(9).Length);
        bytes[offsetInLastRecord < 0 ? ^1 : lastRecord + offsetInLastRecord] ^= 0x40;
        await File.WriteAllBytesAsync(wal, bytes);

        await using (OrderedIndex index = OrderedIndex.Open(_directory))
        {
            AssertHolds(index, 9);
            Assert.False(index.TryGet(Key(9), out _));
        }
    }

    [Fact]
    public async Task OrphanFilesAreDeletedAtOpen()
    {
        var options = new OrderedIndexOptions { MemtableSize = 1 };
        await using (OrderedIndex index = OrderedIndex.Open(_directory, options))
        {
            for (int i = 0; i < 6; i++)
            {
                await index.PutAsync(Key(i), Value(i));
            }

            await index.WaitForBackgroundWorkAsync();
        }

        Manifest manifest = Manifest.Read(Path.Combine(_directory, "MANIFEST"));
        Assert.NotEmpty(manifest.Tables);
        string[] orphans =
        [
            IndexFiles.Table(_directory, manifest.NextFileNumber + 10), // a flush or compaction output never installed
            IndexFiles.Wal(_directory, manifest.LogNumber - 1),          // a WAL already flushed
            Path.Combine(_directory, "MANIFEST.tmp"),                     // a manifest never renamed
        ];
        foreach (string orphan in orphans)
        {
            await File.WriteAllBytesAsync(orphan, Utf8("half-written garbage"));
        }

        string unrelated = Path.Combine(_directory, "notes.txt");
        await File.WriteAllTextAsync(unrelated, "not ours");

        await using (OrderedIndex index = OrderedIndex.Open(_directory, options))
        {
            AssertHolds(index, 6);
        }

        Assert.All(orphans, orphan => Assert.False(File.Exists(orphan), orphan));
        Assert.True(File.Exists(unrelated));
    }

    [Fact]
    public async Task AMissingManifestBesideIndexFilesIsAnError()
    {
        await using (OrderedIndex index = OrderedIndex.Open(_directory))
        {
            await index.PutAsync(Key(1), Value(1));
        }

        File.Delete(Path.Combine(_directory, "MANIFEST"));
        Assert.Throws<InvalidDataException>(() => OrderedIndex.Open(_directory));
    }

    public static TheoryData<string, int> FaultPoints() => new()
    {
        { nameof(IndexFaultPoint.WalWritten), 3 },
        { nameof(IndexFaultPoint.WalWritten), 40 },
        { nameof(IndexFaultPoint.TableWritten), 1 },
        { nameof(IndexFaultPoint.TableWritten), 5 },
        { nameof(IndexFaultPoint.ManifestWritten), 1 },
        { nameof(IndexFaultPoint.ManifestWritten), 5 },
    };

    /// <summary>
    /// Stops the index at one step of a commit, flush or compaction (the hook throws, and the index
    /// touches no file after that), then opens the directory again: every acknowledged write is
    /// there, a write that failed is there whole or not at all, nothing else is.
    /// </summary>
    [Theory]
    [MemberData(nameof(FaultPoints))]
    public async Task CrashAtEachStepLosesNoAcknowledgedWrite(string pointName, int hit)
    {
        var point = Enum.Parse<IndexFaultPoint>(pointName);
        int hits = 0;
        var options = new OrderedIndexOptions { MemtableSize = 2048, MaxTables = 2, BlockSize = 256 };
        var crashing = new OrderedIndexOptions
        {
            MemtableSize = options.MemtableSize,
            MaxTables = options.MaxTables,
            BlockSize = options.BlockSize,
            FaultHook = reached =>
            {
                if (reached == point && Interlocked.Increment(ref hits) == hit)
                {
                    throw new SimulatedCrash();
                }
            },
        };

        var acknowledged = new Dictionary<int, byte[]?>();
        var uncertain = new Dictionary<int, byte[]?>();
        OrderedIndex index = OrderedIndex.Open(_directory, crashing);
        for (int round = 0; round < 500 && uncertain.Count == 0; round++)
        {
            var writes = new List<(int Key, byte[]? Value, Task Task)>();
            for (int i = 0; i < 8; i++)
            {
                int key = (round * 8 + i) % 150;
                byte[]? value = (round + i) % 7 == 0 ? null : Value(round * 8 + i);
                writes.Add((key, value, WriteAsync(index, key, value)));
            }

            foreach ((int key, byte[]? value, Task task) in writes)
            {
                try
                {
                    await task;
                    acknowledged[key] = value;
                }
                catch (Exception exception) when (exception is SimulatedCrash or IOException)
                {
                    uncertain[key] = value;
                }
            }
        }

        Assert.True(uncertain.Count > 0, "the fault point was never reached");
        await index.DisposeAsync();

        await using (index = OrderedIndex.Open(_directory, options))
        {
            var present = new SortedDictionary<byte[], byte[]>(Ordinal);
            foreach (int key in acknowledged.Keys.Union(uncertain.Keys))
            {
                bool found = index.TryGet(Key(key), out byte[]? actual);
                acknowledged.TryGetValue(key, out byte[]? expected);
                bool asAcknowledged = found ? actual!.AsSpan().SequenceEqual(expected) : expected is null;
                bool asFailedWrite = uncertain.TryGetValue(key, out byte[]? attempted) && (found ? actual!.AsSpan().SequenceEqual(attempted) : attempted is null);
                Assert.True(asAcknowledged || asFailedWrite, $"key {key}: found {(found ? Convert.ToHexString(actual!) : "nothing")}, acknowledged {(expected is null ? "absent" : Convert.ToHexString(expected))}, in flight at the crash {(uncertain.TryGetValue(key, out byte[]? tried) ? (tried is null ? "a delete" : Convert.ToHexString(tried)) : "nothing")}");
                if (found)
                {
                    present[Key(key)] = actual!;
                }
            }

            AssertSame(present, index);
            await index.PutAsync(Utf8("after"), Utf8("recovery"));
            Assert.True(index.TryGet(Utf8("after"), out _));
        }

        static Task WriteAsync(OrderedIndex index, int key, byte[]? value)
            => value is null ? index.DeleteAsync(Key(key)).AsTask() : index.PutAsync(Key(key), value).AsTask();
    }

    /// <summary>
    /// The interleaving behind a rare failure of the theory above under load: a compaction has
    /// written its table when a flush stops right after its MANIFEST went in place. The stopped
    /// index must write no further MANIFEST: one built from the state in memory, which never saw
    /// the flush installed, would drop the flushed table while naming the flushed WAL done with.
    /// </summary>
    [Fact]
    public async Task ACompactionFinishingAfterAFlushCrashedWritesNoManifest()
    {
        using var compactionWaits = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        int compactionHeld = 0;
        var crashing = new OrderedIndexOptions
        {
            MemtableSize = 1024,
            MaxTables = 2,
            BlockSize = 256,
            FaultHook = reached =>
            {
                // The hook is told the step, not whose: the stack says whether a compaction reached it.
                bool inCompaction = new System.Diagnostics.StackTrace().ToString().Contains("OrderedIndex.Compact(", StringComparison.Ordinal);
                if (reached == IndexFaultPoint.TableWritten && inCompaction && Interlocked.Exchange(ref compactionHeld, 1) == 0)
                {
                    compactionWaits.Release();
                    Assert.True(release.Wait(TimeSpan.FromSeconds(30)), "the test never let the compaction go on");
                }
                else if (reached == IndexFaultPoint.ManifestWritten && !inCompaction && Volatile.Read(ref compactionHeld) == 1)
                {
                    throw new SimulatedCrash();
                }
            },
        };

        var acknowledged = new Dictionary<int, byte[]>();
        OrderedIndex index = OrderedIndex.Open(_directory, crashing);
        bool crashed = false;
        for (int i = 0; i < 5000 && !crashed; i++)
        {
            try
            {
                await index.PutAsync(Key(i), Value(i));
                acknowledged[i] = Value(i);
            }
            catch (IOException)
            {
                crashed = true;
            }
        }

        Assert.True(crashed, "the flush never crashed");
        Assert.True(await compactionWaits.WaitAsync(0), "no compaction was held");
        release.Release();
        await index.WaitForBackgroundWorkAsync();
        await index.DisposeAsync();

        await using (index = OrderedIndex.Open(_directory, new OrderedIndexOptions { MemtableSize = 1024, MaxTables = 2, BlockSize = 256 }))
        {
            foreach ((int key, byte[] value) in acknowledged)
            {
                Assert.True(index.TryGet(Key(key), out byte[]? found) && found.AsSpan().SequenceEqual(value), $"acknowledged key {key} lost");
            }
        }
    }

    /// <summary>The index holds keys 0..count-1 and <paramref name="extra"/>, nothing else.</summary>
    private static void AssertHolds(OrderedIndex index, int count, params (byte[] Key, byte[] Value)[] extra)
    {
        var model = new SortedDictionary<byte[], byte[]>(Ordinal);
        for (int i = 0; i < count; i++)
        {
            model[Key(i)] = Value(i);
        }

        foreach ((byte[] key, byte[] value) in extra)
        {
            model[key] = value;
        }

        AssertSame(model, index);
    }

    private static string Copy(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.GetFiles(source))
        {
            if (Path.GetFileName(file) != "LOCK")
            {
                File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
            }
        }

        return destination;
    }

    private sealed class SimulatedCrash : Exception;
}
