using System.Diagnostics.CodeAnalysis;
using FastS3.Storage;

namespace FastS3.Tests.Storage.InMemory;

/// <summary>
/// The seam's record table in memory: a sorted list under one lock, conditions decided under it as
/// the disk index decides them under its write lock. A cursor walks a snapshot taken when it
/// starts (the seam allows it to miss later writes). For tests: O(n) writes and cursors.
/// </summary>
internal sealed class MemoryRecordTable : IRecordTable
{
    private static readonly Comparer<byte[]> Order = Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b));

    private readonly Lock _gate = new();
    private readonly List<byte[]> _keys = [];
    private readonly List<byte[]> _values = [];

    public bool TryGet(ReadOnlySpan<byte> key, [MaybeNullWhen(false)] out byte[] value)
    {
        bool found = TryGetReadOnly(key, out ReadOnlyMemory<byte> stored);
        value = found ? stored.ToArray() : null;
        return found;
    }

    public bool TryGetReadOnly(ReadOnlySpan<byte> key, out ReadOnlyMemory<byte> value)
    {
        lock (_gate)
        {
            int at = Find(key);
            value = at >= 0 ? _values[at] : default;
            return at >= 0;
        }
    }

    public IRecordCursor Seek(ReadOnlySpan<byte> start)
    {
        Cursor cursor = Snapshot();
        cursor.Seek(start);
        return cursor;
    }

    public IRecordCursor SeekAfter(ReadOnlySpan<byte> key)
    {
        Cursor cursor = Snapshot();
        cursor.SeekAfter(key);
        return cursor;
    }

    public ValueTask<RecordWrite> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, RecordCondition? condition = null, CancellationToken cancellationToken = default)
        => Write(key, value.ToArray(), condition, default, null);

    public ValueTask<RecordWrite> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, RecordCondition? condition, ReadOnlyMemory<byte> alongsideKey, ReadOnlyMemory<byte> alongsideValue)
        => Write(key, value.ToArray(), condition, alongsideKey, alongsideValue.ToArray());

    public ValueTask<RecordWrite> DeleteAsync(ReadOnlyMemory<byte> key, RecordCondition? condition = null, CancellationToken cancellationToken = default)
        => Write(key, null, condition, default, null);

    /// <summary>A null <paramref name="value"/> deletes; <paramref name="alongsideValue"/>, when given, is put at <paramref name="alongsideKey"/> in the same step.</summary>
    private ValueTask<RecordWrite> Write(ReadOnlyMemory<byte> key, byte[]? value, RecordCondition? condition, ReadOnlyMemory<byte> alongsideKey, byte[]? alongsideValue)
    {
        lock (_gate)
        {
            int at = Find(key.Span);
            byte[]? current = at >= 0 ? _values[at] : null;
            if (condition is not null && !condition(current, current is not null))
            {
                return ValueTask.FromResult(new RecordWrite(false, current?.ToArray()));
            }

            Set(key.Span, value);
            if (alongsideValue is not null)
            {
                Set(alongsideKey.Span, alongsideValue);
            }

            return ValueTask.FromResult(new RecordWrite(true, current?.ToArray()));
        }
    }

    private void Set(ReadOnlySpan<byte> key, byte[]? value)
    {
        int at = Find(key);
        if (at >= 0 && value is null)
        {
            _keys.RemoveAt(at);
            _values.RemoveAt(at);
        }
        else if (at >= 0)
        {
            _values[at] = value!;
        }
        else if (value is not null)
        {
            _keys.Insert(~at, key.ToArray());
            _values.Insert(~at, value);
        }
    }

    private int Find(ReadOnlySpan<byte> key) => _keys.BinarySearch(key.ToArray(), Order);

    private Cursor Snapshot()
    {
        lock (_gate)
        {
            return new Cursor([.. _keys], [.. _values]);
        }
    }

    private sealed class Cursor(byte[][] keys, byte[][] values) : IRecordCursor
    {
        private int _next;
        private int _at = -1;

        public ReadOnlySpan<byte> Key => _at >= 0 ? keys[_at] : throw NotOnEntry();

        public ReadOnlySpan<byte> Value => _at >= 0 ? values[_at] : throw NotOnEntry();

        public void Seek(ReadOnlySpan<byte> start)
        {
            int found = Array.BinarySearch(keys, start.ToArray(), Order);
            _next = found >= 0 ? found : ~found;
            _at = -1;
        }

        public void SeekAfter(ReadOnlySpan<byte> key)
        {
            int found = Array.BinarySearch(keys, key.ToArray(), Order);
            _next = found >= 0 ? found + 1 : ~found;
            _at = -1;
        }

        public bool MoveNext()
        {
            _at = _next < keys.Length ? _next++ : -1;
            return _at >= 0;
        }

        public void Dispose()
        {
        }

        private static InvalidOperationException NotOnEntry() => new("The cursor is not on an entry.");
    }
}
