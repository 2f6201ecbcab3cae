using System.Text;
using BenchmarkDotNet.Attributes;
using FastS3.Storage.Disk.Index;

namespace FastS3.Benchmarks;

/// <summary>
/// The bucket metadata index with S3-like keys ("photos/2024/03/17/IMG_0001234.jpg") and 200-byte
/// values: a point lookup, and a 1000-key listing page from a random start. The page must cost
/// about the same at 10K and at 1M keys. The memtable is kept small so that both sizes are read
/// from tables (the default 4 MiB would hold all of the 10K index in memory, which is faster and
/// not the comparison that matters). Each size is built once, in a temporary directory, by
/// GlobalSetup (the 1M index takes about a minute).
/// </summary>
[MemoryDiagnoser]
public class IndexReadBenchmarks
{
    private const int PageSize = 1000;

    private string _directory = "";
    private OrderedIndex? _index;
    private byte[][] _sorted = [];
    private int[] _probes = [];
    private int _next;

    [Params(10_000, 1_000_000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("fasts3-index-bench-").FullName;
        _index = OrderedIndex.Open(_directory, new OrderedIndexOptions { MemtableSize = 64 * 1024 });
        byte[][] keys = [.. Enumerable.Range(0, Keys).Select(IndexBenchmarkData.Key)];
        byte[][] shuffled = [.. keys];
        new Random(42).Shuffle(shuffled);
        IndexBenchmarkData.LoadAsync(_index, shuffled).GetAwaiter().GetResult();

        _sorted = keys;
        Array.Sort(_sorted, (x, y) => x.AsSpan().SequenceCompareTo(y));
        var random = new Random(7);
        _probes = [.. Enumerable.Range(0, 4096).Select(_ => random.Next(Keys - PageSize))];
        if (_index.Count != Keys || ListPage() != PageSize)
        {
            throw new InvalidOperationException($"the index holds {_index.Count} keys, expected {Keys}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _index!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public bool GetHit() => _index!.TryGet(_sorted[NextProbe()], out _);

    /// <summary>Seek to a random existing key and read the next 1000 keys and values, as a ListObjectsV2 page does.</summary>
    [Benchmark]
    public int ListPage()
    {
        using IndexIterator iterator = _index!.Seek(_sorted[NextProbe()]);
        int count = 0;
        while (count < PageSize && iterator.MoveNext())
        {
            count += iterator.Value.IsEmpty ? 0 : 1;
        }

        return count;
    }

    private int NextProbe() => _probes[_next++ & (_probes.Length - 1)];
}

/// <summary>
/// Write throughput: 1024 new 200-byte objects per invocation, put by one writer after another or
/// by 32 writers at once, whose writes in flight share an fdatasync (group commit). Reported per
/// write; flushes and compactions run as the index grows.
/// </summary>
[MemoryDiagnoser]
public class IndexWriteBenchmarks
{
    private const int Writes = 1024;

    private string _directory = "";
    private OrderedIndex? _index;
    private int _sequence;

    [Params(1, 32)]
    public int Writers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("fasts3-index-bench-").FullName;
        _index = OrderedIndex.Open(_directory);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _index!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Writes)]
    public Task Put() => Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => WriteAsync()));

    private async Task WriteAsync()
    {
        for (int i = 0; i < Writes / Writers; i++)
        {
            await _index!.PutAsync(IndexBenchmarkData.Key(Interlocked.Increment(ref _sequence)), IndexBenchmarkData.Value);
        }
    }
}

internal static class IndexBenchmarkData
{
    public static readonly byte[] Value = [.. Enumerable.Range(0, 200).Select(i => (byte)('a' + (i % 26)))];

    public static byte[] Key(int i) => Encoding.UTF8.GetBytes($"photos/{2020 + (i % 7)}/{(i / 7 % 12) + 1:D2}/{(i / 84 % 28) + 1:D2}/IMG_{i:D7}.jpg");

    /// <summary>Writes every key with many writes in flight, so loading 1M keys takes seconds, not an fsync each.</summary>
    public static async Task LoadAsync(OrderedIndex index, byte[][] keys)
    {
        const int InFlight = 512;
        var pending = new Task[InFlight];
        for (int i = 0; i < keys.Length; i++)
        {
            if (pending[i % InFlight] is { } previous)
            {
                await previous;
            }

            pending[i % InFlight] = index.PutAsync(keys[i], Value).AsTask();
        }

        await Task.WhenAll(pending.Where(task => task is not null));
        await index.WaitForBackgroundWorkAsync();
    }
}
