using System.Runtime.CompilerServices;

namespace FastS3.Http.Metrics;

/// <summary>
/// A fixed set of 64-bit counters, one copy per processor stripe, so that threads counting on
/// different cores never contend for a cache line: recording is one uncontended interlocked add and
/// allocates nothing; reading sums the stripes (for an exposition, not the request path). A thread
/// moved to another core between picking its stripe and adding stays correct, only less local.
/// </summary>
public sealed class StripedCounters
{
    // 128 bytes of padding between stripes: adjacent-line prefetch pairs 64-byte lines.
    private const int PaddingLongs = 16;

    private readonly long[] _values;
    private readonly int _stride;
    private readonly int _stripeMask;

    public StripedCounters(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Count = count;
        int stripes = (int)Math.Min(64, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));
        _stripeMask = stripes - 1;
        _stride = count + PaddingLongs;
        _values = new long[(stripes * _stride) + PaddingLongs];
    }

    public int Count { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int index, long value)
    {
        int offset = PaddingLongs + ((Thread.GetCurrentProcessorId() & _stripeMask) * _stride) + index;
        Interlocked.Add(ref _values[offset], value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Increment(int index) => Add(index, 1);

    /// <summary>The counter's value: the sum of its stripes.</summary>
    public long Sum(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count);
        long sum = 0;
        for (int offset = PaddingLongs + index; offset < _values.Length; offset += _stride)
        {
            sum += Volatile.Read(ref _values[offset]);
        }

        return sum;
    }
}
