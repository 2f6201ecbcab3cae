using System.Collections.Concurrent;
using FastS3.Storage;
using FastS3.Storage.Disk.Index;
using FastS3.Testing;
using static FastS3.Tests.Storage.Disk.Index.IndexTestData;

namespace FastS3.Tests.Storage.Disk.Index;

/// <summary>
/// The index on a small tmpfs that fills up for real, with tiny memtables so flushes and compactions
/// run throughout and find the disk full too. Writers race on a few shared keys, so a group the log
/// refuses may have writes queued behind it that read its values (those must fail with it).
/// Throughout: a refused write is gone, every other write obeys the order of acknowledgements, the
/// live count matches the keys, deletes go on when puts are refused, flushes and compactions that
/// found no room try again rather than stop the index, and once space is back the background work
/// catches up, leaves no stray file, and a reopen finds the same contents.
/// </summary>
[Trait("Store", "Disk")]
public sealed class OrderedIndexDiskFullTests
{
    private const int Writers = 8;
    private const int OperationsPerWriter = 300;
    private const int Keys = 8;
    private const int ValueSize = 4096;

    [RootFact]
    public async Task RefusedWritesLeaveNoTraceAndTheIndexCatchesUpWhenSpaceReturns()
    {
        await using TmpfsMount disk = await TmpfsMount.MountAsync("4m");
        string directory = Path.Combine(disk.Path, "index");
        var options = new OrderedIndexOptions { MemtableSize = 32 * 1024, MaxTables = 2, BlockSize = 1024 };
        var history = new WriteHistory<byte[]>(value => $"{value.Length} bytes from {Prefix(value)}");
        SortedDictionary<byte[], byte[]> contents;
        await using (OrderedIndex index = OrderedIndex.Open(directory, options))
        {
            disk.Fill("filler", leaving: 384 * 1024);
            var replaced = new ConcurrentBag<string>();
            await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(() => WriteAsync(index, history, replaced, writer))));
            int refused = history.Writes.Count(w => w.Refused);
            Assert.True(refused > 0 && refused < Writers * OperationsPerWriter, $"{refused} of {Writers * OperationsPerWriter} writes refused: the disk never filled up, or nothing fit");

            // What a write replaced (callers delete the data it points to) was there: never a refused write's value.
            HashSet<string> refusedValues = [.. history.Writes.Where(w => w.Refused && w.Value is not null).Select(w => Prefix(w.Value!))];
            Assert.DoesNotContain(replaced, refusedValues.Contains);

            AssertHistory(index, history);

            // With nothing left at all, a put bigger than what the log has reserved is refused; a
            // delete still goes into the room kept for deletes.
            disk.Fill("rest");
            await Assert.ThrowsAsync<StorageFullException>(() => index.PutAsync(Key(1), new byte[OrderedIndex.MaxValueLength]).AsTask());
            await index.DeleteAsync(Key(1));
            history.Assume(Name(Key(1)), null, WriteHistory<byte[]>.Now);
            AssertHistory(index, history);

            File.Delete(Path.Combine(disk.Path, "filler"));
            File.Delete(Path.Combine(disk.Path, "rest"));
            byte[] last = Value(-1, 0);
            await index.PutAsync(Key(0), last);
            history.Assume(Name(Key(0)), last, WriteHistory<byte[]>.Now);
            await index.WaitForBackgroundWorkAsync().WaitAsync(TimeSpan.FromSeconds(30));
            AssertHistory(index, history);

            string[] files = [.. Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
            Assert.True(
                files.Count(f => f.EndsWith(".tbl", StringComparison.Ordinal)) == index.TableCount && index.TableCount <= options.MaxTables
                && files.Count(f => f.EndsWith(".wal", StringComparison.Ordinal)) == 1 && !files.Contains("MANIFEST.tmp"),
                $"{index.TableCount} tables in the index; files: {string.Join(", ", files)}");
            contents = new SortedDictionary<byte[], byte[]>(Scan(index, []).ToDictionary(e => e.Key, e => e.Value), Ordinal);
        }

        await using (OrderedIndex reopened = OrderedIndex.Open(directory, options))
        {
            AssertSame(contents, reopened);
        }
    }

    /// <summary>
    /// Flushes and compactions whose new table finds no room (the hook says the disk is full just as
    /// it is written) drop that table and try again later, while writes go on into a memtable that
    /// grows past its size; once there is room they catch up, and nothing is lost.
    /// </summary>
    [Fact]
    public async Task FlushesAndCompactionsThatFindNoRoomTryAgainAndLoseNothing()
    {
        string directory = NewDirectory();
        try
        {
            OrderedIndex? index = null;
            int refusals = 0;
            bool full = false;
            var options = new OrderedIndexOptions
            {
                MemtableSize = 2048,
                MaxTables = 2,
                BlockSize = 256,

                // Full for any table written while the index already has more than it wants: the
                // compaction that follows a third table, and the flushes after it.
                FaultHook = point =>
                {
                    if (point == IndexFaultPoint.TableWritten && Volatile.Read(ref full) && index!.TableCount > 2)
                    {
                        Interlocked.Increment(ref refusals);
                        throw new StorageFullException("no room for the table (simulated)");
                    }
                },
            };

            var model = new SortedDictionary<byte[], byte[]>(Ordinal);
            await using (index = OrderedIndex.Open(directory, options))
            {
                await WriteSequentiallyAsync(index, model, 0, 200);
                await index.WaitForBackgroundWorkAsync();
                Volatile.Write(ref full, true);
                await WriteSequentiallyAsync(index, model, 200, 600);
                await Task.Delay(1500);
                await WriteSequentiallyAsync(index, model, 600, 800);
                Assert.True(Volatile.Read(ref refusals) >= 2, $"{refusals} tables refused");
                AssertSame(model, index);

                Volatile.Write(ref full, false);
                await WriteSequentiallyAsync(index, model, 800, 850);
                await index.WaitForBackgroundWorkAsync().WaitAsync(TimeSpan.FromSeconds(30));
                Assert.True(index.TableCount <= options.MaxTables);
                Assert.Equal(index.TableCount, Directory.GetFiles(directory, "*.tbl").Length);
                AssertSame(model, index);
            }

            await using (OrderedIndex reopened = OrderedIndex.Open(directory, options))
            {
                AssertSame(model, reopened);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Puts (every fifth a delete of an earlier key) numbered <paramref name="from"/> to <paramref name="to"/>, one at a time, into the index and the model.</summary>
    private static async Task WriteSequentiallyAsync(OrderedIndex index, SortedDictionary<byte[], byte[]> model, int from, int to)
    {
        for (int n = from; n < to; n++)
        {
            if (n % 5 == 4)
            {
                await index.DeleteAsync(Key(n / 2));
                model.Remove(Key(n / 2));
                continue;
            }

            byte[] value = Utf8($"value {n} " + new string('v', n % 100));
            await index.PutAsync(Key(n), value);
            model[Key(n)] = value;
        }
    }

    private static async Task WriteAsync(OrderedIndex index, WriteHistory<byte[]> history, ConcurrentBag<string> replaced, int writer)
    {
        var random = new Random(writer);
        for (int n = 0; n < OperationsPerWriter; n++)
        {
            byte[] key = Key(random.Next(Keys));
            byte[]? value = random.Next(4) == 0 ? null : Value(writer, n);
            WriteHistory<byte[]>.Write write = history.Begin(Name(key), value);
            try
            {
                RecordWrite result = await (value is null ? index.DeleteAsync(key) : index.PutAsync(key, value));
                WriteHistory<byte[]>.Acknowledge(write);
                if (result.Previous is not null)
                {
                    replaced.Add(Prefix(result.Previous));
                }

            }
            catch (StorageFullException)
            {
                write.Refused = true;
            }
        }
    }

    /// <summary>Every key holds what the history allows, and the live count is the number of keys there.</summary>
    private static void AssertHistory(OrderedIndex index, WriteHistory<byte[]> history)
    {
        for (int k = 0; k < Keys; k++)
        {
            byte[]? held = index.TryGet(Key(k), out byte[]? value) ? value : null;
            Assert.Null(history.Check(Name(Key(k)), written => held is null ? written is null : written is not null && written.AsSpan().SequenceEqual(held)));
        }

        Assert.Equal(Scan(index, []).Count, index.Count);
    }

    private static byte[] Key(int k) => Utf8($"key/{k:D3}");

    /// <summary>The part of a value that names the write.</summary>
    private static string Prefix(byte[] value) => System.Text.Encoding.ASCII.GetString(value, 0, 12);

    private static string Name(byte[] key) => System.Text.Encoding.ASCII.GetString(key);

    /// <summary>A value no other write has: writer and number up front, padded to <see cref="ValueSize"/>.</summary>
    private static byte[] Value(int writer, int n)
    {
        byte[] value = new byte[ValueSize];
        Utf8($"w{writer:D3}n{n:D5}:").CopyTo(value, 0);
        return value;
    }
}
