using FastS3.Buffers;

namespace FastS3.Api;

/// <summary>
/// Where <see cref="S3Application"/> puts one record per request when an access log is kept: a
/// <see cref="RecordRing"/> that <see cref="AccessLogLine"/> fills in place, read by the log's own
/// thread (which makes the line, <see cref="AccessLogFormat"/>). A sealed class, not an interface:
/// the request path makes direct calls. Never blocks: a record that finds the ring full is dropped
/// and counted.
/// </summary>
public sealed class AccessLogQueue
{
    private readonly RecordRing _ring;
    private readonly EventWaitHandle _wake;
    private long _dropped;

    /// <param name="capacity">Bytes, a power of two.</param>
    /// <param name="wakeMark">Bytes of records after which <paramref name="wake"/> is set, before the reader's own schedule; a power of two.</param>
    internal AccessLogQueue(int capacity, int wakeMark, EventWaitHandle wake)
    {
        _ring = new RecordRing(capacity, wakeMark);
        _wake = wake;
    }

    /// <summary>Lines dropped since start: the ring full, or (counted by the reader) their write failed.</summary>
    public long DroppedLines => Interlocked.Read(ref _dropped);

    /// <summary>Room for a record of <paramref name="length"/> bytes, to fill and <see cref="Commit"/> at once; false (and counted) when the ring is full.</summary>
    internal bool TryClaim(int length, out RingClaim claim)
    {
        if (_ring.TryClaim(length, out claim))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    internal void Commit(in RingClaim claim)
    {
        claim.Commit();
        if (claim.Wake)
        {
            _wake.Set();
        }
    }

    /// <summary>The reader's side (one thread): see <see cref="RecordRing.TryRead"/>.</summary>
    internal bool TryRead(Span<byte> destination, out int length) => _ring.TryRead(destination, out length);

    internal void CountDropped(int lines) => Interlocked.Add(ref _dropped, lines);
}
