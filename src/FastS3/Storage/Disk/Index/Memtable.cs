namespace FastS3.Storage.Disk.Index;

/// <summary>
/// The sorted in-memory table of recent durable writes: a skip list, as in LevelDB, with one
/// writer (the commit loop, or recovery) and any number of lock-free readers. A node is linked in
/// only once it is fully built, with release semantics, and never removed, so readers always see
/// a well-formed list; an overwrite swaps the node's value reference atomically.
/// </summary>
internal sealed class Memtable(long logNumber)
{
    private const int MaxHeight = 12;

    private readonly Node _head = new([], null, MaxHeight);
    private readonly Node[] _update = new Node[MaxHeight];
    private int _height = 1;
    private uint _random = 0x9E3779B9;
    private long _bytes;

    /// <summary>The WAL that holds this memtable's writes.</summary>
    public long LogNumber { get; } = logNumber;

    /// <summary>Key and value bytes held, the measure of when to flush.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Live keys in the whole index once this memtable's WAL ends; set when it is frozen.</summary>
    public long LiveCountAfter { get; set; }

    /// <summary>Inserts or overwrites; a null value is a tombstone. Only one thread may write.</summary>
    public void Put(byte[] key, byte[]? value)
    {
        Node? found = FindGreaterOrEqual(key, _update);
        if (found is not null && found.Key.AsSpan().SequenceEqual(key))
        {
            Volatile.Write(ref _bytes, _bytes + (value?.Length ?? 0) - (found.Value?.Length ?? 0));
            Volatile.Write(ref found.Value, value);
            return;
        }

        int height = RandomHeight();
        if (height > _height)
        {
            for (int level = _height; level < height; level++)
            {
                _update[level] = _head;
            }

            Volatile.Write(ref _height, height);
        }

        var node = new Node(key, value, height);
        for (int level = 0; level < height; level++)
        {
            node.Next[level] = _update[level].Next[level];
            Volatile.Write(ref _update[level].Next[level], node);
        }

        Volatile.Write(ref _bytes, _bytes + key.Length + (value?.Length ?? 0));
    }

    /// <summary>
    /// True when the memtable has an entry for the key; <paramref name="value"/> is null for a
    /// tombstone. The array is shared with the memtable: never modify it.
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[]? value)
    {
        Node? node = FindGreaterOrEqual(key, null);
        if (node is not null && node.Key.AsSpan().SequenceEqual(key))
        {
            value = Volatile.Read(ref node.Value);
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>The first node with a key ≥ <paramref name="key"/>; fills <paramref name="previous"/> with each level's predecessor.</summary>
    public Node? FindGreaterOrEqual(ReadOnlySpan<byte> key, Node[]? previous)
    {
        Node node = _head;
        int level = Volatile.Read(ref _height) - 1;
        while (true)
        {
            Node? next = Volatile.Read(ref node.Next[level]);
            if (next is not null && next.Key.AsSpan().SequenceCompareTo(key) < 0)
            {
                node = next;
            }
            else
            {
                previous?[level] = node;
                if (level == 0)
                {
                    return next;
                }

                level--;
            }
        }
    }

    private int RandomHeight()
    {
        // Each level holds a quarter of the one below: ~1.33 links per node, O(log n) search.
        int height = 1;
        while (height < MaxHeight && (NextRandom() & 3) == 0)
        {
            height++;
        }

        return height;
    }

    private uint NextRandom()
    {
        uint x = _random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return _random = x;
    }

    internal sealed class Node(byte[] key, byte[]? value, int height)
    {
        public readonly byte[] Key = key;
        public readonly Node?[] Next = new Node?[height];
        public byte[]? Value = value;
    }
}
