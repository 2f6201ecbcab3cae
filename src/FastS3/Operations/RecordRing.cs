using System.Numerics;
using System.Runtime.InteropServices;

namespace FastS3.Operations;

/// <summary>
/// Records (byte strings) from any number of threads to one reader, without a lock (the design of
/// Agrona's many-to-one ring buffer): a writer claims room with one compare-and-swap on the tail,
/// copies its record in and commits it by writing its length header last; the reader takes
/// committed records in order and zeroes what it took, so a header reads 0 until its record is
/// complete. A record is stored as a 4-byte length and its bytes, padded to 4 bytes; one that would
/// cross the end leaves a padding record (a negative length) and starts at 0.
/// </summary>
internal sealed class RecordRing
{
    private const int HeaderSize = sizeof(int);

    /// <summary>The ring, as ints so that headers are read and written whole, and with barriers.</summary>
    private readonly int[] _slots;
    private readonly int _capacity;
    private readonly int _wakeMark;

    /// <summary>Bytes claimed by writers since the start; only ever grows.</summary>
    private long _tail;

    /// <summary>Bytes given back by the reader since the start; written by the reader only.</summary>
    private long _head;

    /// <param name="capacity">Bytes, a power of two.</param>
    /// <param name="wakeMark">Bytes waiting at which the reader is to be woken (see <see cref="TryWrite"/>).</param>
    public RecordRing(int capacity, int wakeMark)
    {
        if (!BitOperations.IsPow2(capacity) || capacity < HeaderSize)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), "a power of two is needed");
        }

        _slots = new int[capacity / HeaderSize];
        _capacity = capacity;
        _wakeMark = wakeMark;
    }

    /// <summary>
    /// Copies <paramref name="record"/> in (any thread); false, and nothing written, when the ring has
    /// no room for it. <paramref name="wake"/> says this record brought what waits to the wake mark:
    /// the reader should be woken rather than left to its schedule (once per filling, not per record).
    /// </summary>
    public bool TryWrite(ReadOnlySpan<byte> record, out bool wake)
    {
        wake = false;
        if (record.IsEmpty)
        {
            return true;
        }

        int recordLength = Align(HeaderSize + record.Length);
        long tail, head;
        int padding;
        do
        {
            tail = Volatile.Read(ref _tail);
            head = Volatile.Read(ref _head);
            int offset = Offset(tail);
            padding = offset + recordLength > _capacity ? _capacity - offset : 0;
            if (tail + padding + recordLength - head > _capacity)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _tail, tail + padding + recordLength, tail) != tail);

        if (padding > 0)
        {
            Volatile.Write(ref _slots[Offset(tail) / HeaderSize], -padding);
            tail += padding;
        }

        int at = Offset(tail);
        record.CopyTo(MemoryMarshal.AsBytes(_slots.AsSpan()).Slice(at + HeaderSize));
        Volatile.Write(ref _slots[at / HeaderSize], record.Length);
        wake = tail - head < _wakeMark && tail + recordLength - head >= _wakeMark;
        return true;
    }

    /// <summary>
    /// The reader's side: copies the next committed record into <paramref name="destination"/>
    /// (which has room for the longest) and gives its room back; false when none is committed.
    /// </summary>
    public bool TryRead(Span<byte> destination, out int length)
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(_slots.AsSpan());
        while (true)
        {
            int at = Offset(_head);
            length = Volatile.Read(ref _slots[at / HeaderSize]);
            if (length == 0)
            {
                // Nothing more, or a record claimed and not yet committed: it is read next time.
                return false;
            }

            int recordLength = length < 0 ? -length : Align(HeaderSize + length);
            if (length > 0)
            {
                bytes.Slice(at + HeaderSize, length).CopyTo(destination);
            }

            // Zeroed before it is given back: a header there must read 0 until its writer commits.
            bytes.Slice(at, recordLength).Clear();
            Volatile.Write(ref _head, _head + recordLength);
            if (length > 0)
            {
                return true;
            }
        }
    }

    private int Offset(long position) => (int)(position & (_capacity - 1));

    private static int Align(int length) => (length + HeaderSize - 1) & ~(HeaderSize - 1);
}
