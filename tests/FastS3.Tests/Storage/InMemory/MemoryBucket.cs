using System.Buffers;
using System.Collections.Concurrent;
using FastS3.Storage;

namespace FastS3.Tests.Storage.InMemory;

/// <summary>
/// A bucket whose record tables and data items live in memory (see <see cref="MemoryStore"/>);
/// its writers are in <paramref name="unfinished"/> until committed or disposed.
/// </summary>
internal sealed class MemoryBucket(string name, StoreOptions options, ConcurrentDictionary<IDataWriter, byte> unfinished)
    : Bucket(name, DateTimeOffset.UtcNow, new MemoryRecordTable(), new MemoryRecordTable(), options)
{
    private readonly ConcurrentDictionary<Guid, byte[]> _data = new();

    /// <summary>The ids of the data items held now (a committed item never changes: a new one has a new id).</summary>
    public IReadOnlyCollection<string> DataIds => [.. _data.Keys.Select(id => id.ToString("N"))];

    public override IDataWriter CreateData()
    {
        var writer = new Writer(_data, unfinished);
        unfinished.TryAdd(writer, 0);
        return writer;
    }

    public override StoredBytes OpenData(Guid id)
        => _data.TryGetValue(id, out byte[]? bytes) ? new StoredBytes(bytes) : throw new FileNotFoundException("no such data item");

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

    protected override ValueTask<byte[]?> ReadDataAsync(Guid id) => ValueTask.FromResult(_data.TryGetValue(id, out byte[]? bytes) ? bytes : null);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Writer(ConcurrentDictionary<Guid, byte[]> data, ConcurrentDictionary<IDataWriter, byte> unfinished) : IDataWriter
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
            data[id] = _buffer.WrittenSpan.ToArray();
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
