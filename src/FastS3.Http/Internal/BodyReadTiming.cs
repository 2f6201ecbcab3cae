namespace FastS3.Http.Internal;

/// <summary>
/// How long a request has spent waiting for body bytes, against how many arrived, for the
/// <see cref="HttpLimits.MinRequestBodyDataRate"/> check. Only time spent in a read counts: a
/// server busy writing to disk must not blame its client. The connection's loop writes; the
/// heartbeat reads from another thread, and skips a tick it cannot read consistently.
/// </summary>
internal sealed class BodyReadTiming
{
    private long _waited;
    private long _readStart;

    public void Reset()
    {
        _waited = 0;
        Volatile.Write(ref _readStart, 0);
    }

    public void StartRead(long now) => Volatile.Write(ref _readStart, Math.Max(now, 1));

    public void EndRead(long now)
    {
        long start = _readStart;
        if (start != 0)
        {
            // The total first, then the flag: a heartbeat that sees the flag unchanged saw a total without this read.
            Volatile.Write(ref _waited, _waited + (now - start));
            Volatile.Write(ref _readStart, 0);
        }
    }

    /// <summary>True when a read is waiting now and the body's average rate has fallen below <paramref name="rate"/> after its grace period.</summary>
    public bool IsTooSlow(long now, MinDataRate rate, long bytesReceived)
    {
        long start = Volatile.Read(ref _readStart);
        if (start == 0)
        {
            return false;
        }

        long waited = Volatile.Read(ref _waited) + (now - start);
        if (Volatile.Read(ref _readStart) != start)
        {
            // A read ended meanwhile: judge at the next tick.
            return false;
        }

        return waited > rate.GracePeriod.TotalMilliseconds && bytesReceived < rate.BytesPerSecond * waited / 1000;
    }
}
