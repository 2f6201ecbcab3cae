using FastS3.Storage;
using FastS3.Storage.Disk.Index;
using static FastS3.Tests.Storage.Disk.Index.IndexTestData;

namespace FastS3.Tests.Storage.Disk.Index;

/// <summary>
/// Random operations against a SortedDictionary model, with thresholds so small that the data
/// is spread over the memtable, frozen memtables and several tables, and compactions run often.
/// </summary>
[Trait("Store", "Disk")]
public sealed class OrderedIndexModelTests : IDisposable
{
    private readonly string _directory = NewDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task MatchesASortedDictionaryUnderRandomOperations(int seed)
    {
        var random = new Random(seed);
        var options = new OrderedIndexOptions { MemtableSize = 3000, MaxTables = 3, BlockSize = 200 };
        var model = new SortedDictionary<byte[], byte[]>(Ordinal);
        byte[][] keys = [.. Enumerable.Range(0, 400).Select(_ => RandomKey(random)).Distinct(KeyComparer.Instance)];
        int maxTables = 0;
        int operations = 0;

        OrderedIndex index = OrderedIndex.Open(_directory, options);
        try
        {
            while (operations < 5000)
            {
                // A burst of writes issued without waiting: the index applies them in call order,
                // as the model does, and they share fsyncs.
                var writes = new List<(Task<RecordWrite> Task, RecordWrite Expected)>();
                int burst = random.Next(1, 40);
                for (int i = 0; i < burst; i++, operations++)
                {
                    byte[] key = keys[random.Next(keys.Length)];
                    byte[]? value = random.Next(4) == 0 ? null : RandomValue(random);
                    model.TryGetValue(key, out byte[]? current);
                    RecordCondition? precondition = null;
                    bool allowed = true;
                    switch (random.Next(6))
                    {
                        case 0:
                            precondition = (_, exists) => !exists;
                            allowed = current is null;
                            break;
                        case 1:
                            byte[]? expected = random.Next(2) == 0 ? current : RandomValue(random);
                            precondition = (actual, exists) => exists && actual.SequenceEqual(expected);
                            allowed = current is not null && current.AsSpan().SequenceEqual(expected);
                            break;
                    }

                    Task<RecordWrite> write = value is null ? index.DeleteAsync(key, precondition).AsTask() : index.PutAsync(key, value, precondition).AsTask();
                    writes.Add((write, new RecordWrite(allowed, current)));
                    if (allowed)
                    {
                        if (value is null)
                        {
                            model.Remove(key);
                        }
                        else
                        {
                            model[key] = value;
                        }
                    }
                }

                foreach ((Task<RecordWrite> task, RecordWrite expected) in writes)
                {
                    RecordWrite actual = await task;
                    Assert.Equal(expected.Applied, actual.Applied);
                    Assert.Equal(expected.Previous, actual.Previous);
                }

                maxTables = Math.Max(maxTables, index.TableCount);
                Assert.Equal(model.Count, index.Count);
                for (int i = 0; i < 5; i++)
                {
                    byte[] key = keys[random.Next(keys.Length)];
                    Assert.Equal(model.TryGetValue(key, out byte[]? value), index.TryGet(key, out byte[]? found));
                    Assert.Equal(value, found);
                }

                byte[] start = random.Next(3) == 0 ? RandomKey(random) : keys[random.Next(keys.Length)];
                int limit = random.Next(1, 60);
                Assert.Equal(
                    model.Where(pair => Ordinal.Compare(pair.Key, start) >= 0).Take(limit).Select(pair => (pair.Key, pair.Value)),
                    Scan(index, start, limit));

                if (random.Next(40) == 0)
                {
                    await index.DisposeAsync();
                    index = OrderedIndex.Open(_directory, options);
                }
            }

            await index.WaitForBackgroundWorkAsync();
            AssertSame(model, index);
            await index.DisposeAsync();
            index = OrderedIndex.Open(_directory, options);
            AssertSame(model, index);
            Assert.True(maxTables >= 2, $"the data never spread over several tables ({maxTables})");
        }
        finally
        {
            await index.DisposeAsync();
        }
    }

    /// <summary>Short keys over a small alphabet with awkward bytes, so prefixes and shared prefixes abound.</summary>
    private static byte[] RandomKey(Random random)
    {
        ReadOnlySpan<byte> alphabet = [0x00, 0x01, (byte)'/', (byte)'a', (byte)'b', 0x7F, 0x80, 0xC3, 0xA9, 0xFF];
        var key = new byte[random.Next(0, 9)];
        for (int i = 0; i < key.Length; i++)
        {
            key[i] = alphabet[random.Next(alphabet.Length)];
        }

        return key;
    }

    private static byte[] RandomValue(Random random)
    {
        var value = new byte[random.Next(0, 120)];
        random.NextBytes(value);
        return value;
    }

    private sealed class KeyComparer : IEqualityComparer<byte[]>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] key)
        {
            var hash = new HashCode();
            hash.AddBytes(key);
            return hash.ToHashCode();
        }
    }
}
