using System.Buffers;
using System.Collections.Concurrent;
using FastS3.Storage;
using FastS3.Tests.Hosting;

namespace FastS3.Tests.Storage.InMemory;

/// <summary>
/// A bucket whose record tables and data items live in memory (see <see cref="MemoryStore"/>);
/// its writers are in <paramref name="unfinished"/> until committed or disposed.
/// </summary>
internal sealed class MemoryBucket(string name, StoreOptions options, ConcurrentDictionary<IDataWriter, byte> unfinished)
    : Bucket(name, DateTimeOffset.UtcNow, new MemoryRecordTable(), new MemoryRecordTable(), options)
{
    private readonly ConcurrentDictionary<Guid, Item> _data = new();

    /// <summary>The data items held now, named by id, in name order.</summary>
    public IReadOnlyList<DataItem> DataItems => [.. _data.Select(entry => new DataItem(entry.Key.ToString("N"), entry.Value.Written)).OrderBy(item => item.Name, StringComparer.Ordinal)];

    public byte[] ReadData(string name) => _data[Guid.Parse(name)].Bytes;

    /// <summary>Replaces a data item's bytes, as damage would (for tests of what reads make of it).</summary>
    public void ReplaceData(string name, byte[] bytes) => _data[Guid.Parse(name)] = new Item(bytes, DateTime.UtcNow);

    public override IDataWriter CreateData()
    {
        var writer = new Writer(_data, unfinished);
        unfinished.TryAdd(writer, 0);
        return writer;
    }

    public override StoredBytes OpenData(Guid id)
        => _data.TryGetValue(id, out Item? item) ? new StoredBytes(item.Bytes) : throw new FileNotFoundException("no such data item");

    public override void DeleteData(Guid id) => _data.TryRemove(id, out _);

    protected override int DeleteDataExcept(HashSet<Guid> live)
    {
        Guid[] dead = [.. _data.Keys.Where(id => !live.Contains(id))];
        foreach (Guid id in dead)
        {
            _data.TryRemove(id, out _);
        }

        return dead.Length;
    }

    protected override ValueTask<byte[]?> ReadDataAsync(Guid id) => ValueTask.FromResult(_data.TryGetValue(id, out Item? item) ? item.Bytes : null);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>A data item's bytes and when they were written, so a test sees an item rewritten in place.</summary>
    private sealed record Item(byte[] Bytes, DateTime Written);

    private sealed class Writer(ConcurrentDictionary<Guid, Item> data, ConcurrentDictionary<IDataWriter, byte> unfinished) : IDataWriter
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();

        public long Length => _buffer.WrittenCount;

        public Memory<byte> GetMemory() => _buffer.GetMemory(64 * 1024);

        public ValueTask AdvanceAsync(int count)
        {
            _buffer.Advance(count);
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
        {
            _buffer.Write(bytes.Span);
            return ValueTask.CompletedTask;
        }

        public ValueTask CommitAsync(Guid id)
        {
            data[id] = new Item(_buffer.WrittenSpan.ToArray(), DateTime.UtcNow);
            unfinished.TryRemove(this, out _);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            unfinished.TryRemove(this, out _);
            return ValueTask.CompletedTask;
        }
    }
}
