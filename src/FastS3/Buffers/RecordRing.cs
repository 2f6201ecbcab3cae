using System.Numerics;
using System.Runtime.InteropServices;

namespace FastS3.Buffers;

/// <summary>
/// Records (byte strings) from any number of threads to one reader, without a lock (the design of
/// Agrona's many-to-one ring buffer): a writer claims room with one compare-and-swap on the tail,
/// fills its record in place and commits it by writing its length header last (<see cref="RingClaim"/>);
/// the reader takes committed records in order and zeroes what it took, so a header reads 0 until
/// its record is complete. A record is stored as an 8-byte header (its length, then 4 unused bytes)
/// and its bytes, padded to 8 bytes so that a record's 8-byte fields can be stored aligned; one that
/// would cross the end leaves a padding record (a negative length) and starts at 0. The writers'
/// positions and the reader's are on cache lines of their own, so that a claim does not wait for
/// a line the reader has just written.
/// </summary>
internal sealed class RecordRing
{
    private const int HeaderSize = sizeof(long);
    private const int CacheLineSize = 64;

    /// <summary>The ring, as ints so that headers are read and written whole, and with barriers.</summary>
    private readonly int[] _slots;
    private readonly int _capacity;
    private readonly int _wakeShift;

    /// <summary>Bytes claimed by writers since the start; only ever grows.</summary>
    private CacheLine _tail;

    /// <summary>
    /// <see cref="_head"/> as a writer last read it, possibly stale (smaller): writers read the
    /// reader's own line only when this says the ring is full, not on every claim.
    /// </summary>
    private CacheLine _headCache;

    /// <summary>Bytes given back by the reader since the start; written by the reader only.</summary>
    private CacheLine _head;

    /// <param name="capacity">Bytes, a power of two.</param>
    /// <param name="wakeMark">Bytes written after which the reader is to be woken again, a power of two (see <see cref="RingClaim.Wake"/>).</param>
    public RecordRing(int capacity, int wakeMark)
    {
        if (!BitOperations.IsPow2(capacity) || capacity < HeaderSize)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), "a power of two is needed");
        }

        if (!BitOperations.IsPow2(wakeMark))
        {
            throw new ArgumentOutOfRangeException(nameof(wakeMark), "a power of two is needed");
        }

        _slots = new int[capacity / sizeof(int)];
        _capacity = capacity;
        _wakeShift = BitOperations.Log2((uint)wakeMark);
    }

    /// <summary>
    /// Claims room for a record of <paramref name="length"/> bytes (any thread), to be filled and
    /// then committed; false when the ring has no room for it. The reader stops at a claimed record
    /// until it is committed, so a claim is committed at once, whatever happens.
    /// </summary>
    public bool TryClaim(int length, out RingClaim claim)
    {
        // A length of 0 would read as "not yet committed" for ever.
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        int recordLength = Align(HeaderSize + length);
        long tail;
        int padding;
        do
        {
            tail = Volatile.Read(ref _tail.Value);
            int offset = Offset(tail);
            padding = offset + recordLength > _capacity ? _capacity - offset : 0;
            long end = tail + padding + recordLength;
            if (end - Volatile.Read(ref _headCache.Value) > _capacity)
            {
                long head = Volatile.Read(ref _head.Value);
                Volatile.Write(ref _headCache.Value, head);
                if (end - head > _capacity)
                {
                    claim = default;
                    return false;
                }
            }
        }
        while (Interlocked.CompareExchange(ref _tail.Value, tail + padding + recordLength, tail) != tail);

        if (padding > 0)
        {
            Volatile.Write(ref _slots[Offset(tail) / sizeof(int)], -padding);
            tail += padding;
        }

        int at = Offset(tail);

        // Every wake mark's worth of bytes written, not of bytes waiting: that would need the reader's position on every claim.
        bool wake = (tail + recordLength) >> _wakeShift != tail >> _wakeShift;
        claim = new RingClaim(ref _slots[at / sizeof(int)], MemoryMarshal.AsBytes(_slots.AsSpan()).Slice(at + HeaderSize, length), wake);
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
            long head = _head.Value;
            int at = Offset(head);
            length = Volatile.Read(ref _slots[at / sizeof(int)]);
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
            Volatile.Write(ref _head.Value, head + recordLength);
            if (length > 0)
            {
                return true;
            }
        }
    }

    /// <summary>A position alone on its cache line (the line before and after it kept free, against the adjacent-line prefetcher too).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 2 * CacheLineSize)]
    private struct CacheLine
    {
        [FieldOffset(CacheLineSize)]
        public long Value;
    }

    private int Offset(long position) => (int)(position & (_capacity - 1));

    private static int Align(int length) => (length + HeaderSize - 1) & ~(HeaderSize - 1);
}
