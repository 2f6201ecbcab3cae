using System.Text;
using FastS3.Storage.Disk.Index;
using static FastS3.Tests.Storage.Disk.Index.IndexTestData;

namespace FastS3.Tests.Storage.Disk.Index;

/// <summary>
/// Writers, readers, iterators and conditional creators at once for a few seconds, with flushes
/// and compactions running throughout. Each key has one writer, which numbers its versions (every
/// fifth a delete), so a reader knows which versions it may see: at least the last acknowledged
/// one before the read, at most the last started one after it.
/// </summary>
[Trait("Store", "Disk")]
public sealed class OrderedIndexConcurrencyTests : IDisposable
{
    private const int Writers = 4;
    private const int KeysPerWriter = 250;

    private readonly string _directory = NewDirectory();
    private readonly long[] _started = new long[Writers * KeysPerWriter];
    private readonly long[] _acknowledged = new long[Writers * KeysPerWriter];

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] Key(int slot) => Utf8($"bucket/{slot % 7}/{slot:D5}");

    private static byte[] Value(int slot, long version) => Utf8($"{slot}:{version}:" + new string('v', (int)(version % 150)));

    private static bool IsDelete(long version) => version % 5 == 0;

    [Fact]
    public async Task ConcurrentWritersReadersAndIteratorsAgree()
    {
        var options = new OrderedIndexOptions { MemtableSize = 8 * 1024, MaxTables = 3, BlockSize = 512 };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        int created = 0;
        await using (OrderedIndex index = OrderedIndex.Open(_directory, options))
        {
            var tasks = new List<Task>();
            for (int writer = 0; writer < Writers; writer++)
            {
                int first = writer * KeysPerWriter;
                tasks.Add(Task.Run(() => WriteAsync(index, first, stop.Token)));
            }

            // Readers spin without awaiting: dedicated threads, so they do not starve the thread
            // pool that runs the commit loop.
            tasks.Add(Task.Factory.StartNew(() => Read(index, stop.Token), TaskCreationOptions.LongRunning));
            tasks.Add(Task.Factory.StartNew(() => Iterate(index, stop.Token), TaskCreationOptions.LongRunning));

            // Two creators race through the same keys with If-None-Match: one winner per key.
            int[] winners = new int[100_000];
            for (int creator = 0; creator < 2; creator++)
            {
                tasks.Add(Task.Run(async () =>
                {
                    for (int n = 0; !stop.IsCancellationRequested && n < winners.Length; n++)
                    {
                        if ((await index.PutAsync(Utf8($"once/{n:D6}"), Utf8("created"), (_, exists) => !exists)).Applied)
                        {
                            Interlocked.Increment(ref winners[n]);
                        }
                    }
                }));
            }

            await Task.WhenAll(tasks);
            Assert.All(winners, count => Assert.True(count <= 1));
            created = winners.Count(count => count == 1);
            Assert.True(index.TableCount > 0, $"no flush in {_acknowledged.Sum()} writes");
        }

        await using (OrderedIndex index = OrderedIndex.Open(_directory, options))
        {
            long present = 0;
            for (int slot = 0; slot < _acknowledged.Length; slot++)
            {
                long version = _acknowledged[slot];
                bool expected = version > 0 && !IsDelete(version);
                Assert.Equal(expected, index.TryGet(Key(slot), out byte[]? value));
                if (expected)
                {
                    Assert.Equal(Value(slot, version), value);
                    present++;
                }
            }

            Assert.Equal(present + created, index.Count);
        }
    }

    private async Task WriteAsync(OrderedIndex index, int first, CancellationToken stop)
    {
        var random = new Random(first);
        while (!stop.IsCancellationRequested)
        {
            // A few writes in flight per writer, on distinct keys, so they share commit groups.
            var batch = new List<(int Slot, long Version, Task Task)>();
            foreach (int slot in Enumerable.Range(0, 4).Select(_ => first + random.Next(KeysPerWriter)).Distinct())
            {
                long version = _started[slot] + 1;
                Volatile.Write(ref _started[slot], version);
                // Not cancelled by stop: every write of a batch is awaited and acknowledged below.
                Task write = IsDelete(version)
                    ? index.DeleteAsync(Key(slot), cancellationToken: CancellationToken.None).AsTask()
                    : index.PutAsync(Key(slot), Value(slot, version), cancellationToken: CancellationToken.None).AsTask();
                batch.Add((slot, version, write));
            }

            foreach ((int slot, long version, Task task) in batch)
            {
                await task;
                Volatile.Write(ref _acknowledged[slot], version);
            }
        }
    }

    private void Read(OrderedIndex index, CancellationToken stop)
    {
        var random = new Random();
        while (!stop.IsCancellationRequested)
        {
            int slot = random.Next(_acknowledged.Length);
            long atLeast = Volatile.Read(ref _acknowledged[slot]);
            bool found = index.TryGet(Key(slot), out byte[]? value);
            long atMost = Volatile.Read(ref _started[slot]);
            if (found)
            {
                long version = VersionOf(slot, value!);
                Assert.InRange(version, Math.Max(atLeast, 1), atMost);
                Assert.False(IsDelete(version));
                Assert.Equal(Value(slot, version), value);
            }
            else
            {
                // Never written, or deleted by a version in [atLeast, atMost].
                Assert.True(atLeast == 0 || IsDelete(atLeast) || atMost / 5 * 5 > atLeast, $"slot {slot} missing at {atLeast}..{atMost}");
            }
        }
    }

    private void Iterate(OrderedIndex index, CancellationToken stop)
    {
        var random = new Random();
        while (!stop.IsCancellationRequested)
        {
            byte[] previous = [];
            bool first = true;
            using IndexIterator iterator = index.Seek(Key(random.Next(_acknowledged.Length)));
            for (int i = 0; i < 300 && iterator.MoveNext(); i++)
            {
                byte[] key = iterator.Key.ToArray();
                Assert.True(first || Ordinal.Compare(previous, key) < 0, "keys out of order");
                first = false;
                previous = key;
                if (key.AsSpan().StartsWith("bucket/"u8))
                {
                    int slot = int.Parse(Encoding.UTF8.GetString(key).AsSpan(key.Length - 5));
                    Assert.InRange(VersionOf(slot, iterator.Value.ToArray()), 1, Volatile.Read(ref _started[slot]));
                }
            }
        }
    }

    private static long VersionOf(int slot, byte[] value)
    {
        string[] parts = Encoding.UTF8.GetString(value).Split(':');
        Assert.Equal(slot.ToString(), parts[0]);
        return long.Parse(parts[1]);
    }
}
