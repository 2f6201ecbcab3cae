using HdrHistogram;

namespace FastS3.Load.Scenarios;

/// <summary>
/// What one connection's worker measured. The worker is the only writer; the progress ticker reads the counters
/// and swaps the latency recorder's interval histogram, which Recorder makes safe without locking the writer.
/// </summary>
internal sealed class WorkerStats
{
    /// <summary>Microseconds; one hour is far beyond any single request of this tool.</summary>
    public const long HighestMicroseconds = 3_600_000_000;

    public const int StatusTransport = 0;
    public const int StatusCancelled = -1;

    /// <summary>Recorder only takes back histograms it handed out, so there is none to recycle before the first drain.</summary>
    private HistogramBase? _spare;
    private long _requests;
    private long _errors;
    private long _bytes;
    private long _streamed;

    public Recorder Latency { get; } = new(1, HighestMicroseconds, 3, static (id, low, high, digits) => new LongHistogram(id, low, high, digits));

    /// <summary>Failed requests by HTTP status; <see cref="StatusTransport"/> = exception, <see cref="StatusCancelled"/> = cut by the hard cap.</summary>
    public Dictionary<int, long> ErrorsByStatus { get; } = [];

    public long Requests => Volatile.Read(ref _requests);

    public long Errors => Volatile.Read(ref _errors);

    /// <summary>Payload bytes of successful requests: what MB/s is computed from.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Bytes moved so far, counted as they stream, so the live line of a 1 GiB transfer is not all zeros and one spike.</summary>
    public long StreamedBytes => Volatile.Read(ref _streamed);

    /// <summary>The first exception's message, so a run that fails at the transport says why.</summary>
    public string? FirstError { get; private set; }

    public static HistogramBase NewHistogram() => new LongHistogram(HighestMicroseconds, 3);

    public void Success(long microseconds, long bytes)
    {
        Latency.RecordValue(Math.Clamp(microseconds, 1, HighestMicroseconds));
        Volatile.Write(ref _requests, _requests + 1);
        Volatile.Write(ref _bytes, _bytes + bytes);
    }

    public void Streamed(int bytes) => Volatile.Write(ref _streamed, _streamed + bytes);

    public void Failure(int status, Exception? exception = null)
    {
        FirstError ??= exception?.GetBaseException().Message;
        ErrorsByStatus[status] = ErrorsByStatus.GetValueOrDefault(status) + 1;
        Volatile.Write(ref _requests, _requests + 1);
        Volatile.Write(ref _errors, _errors + 1);
    }

    /// <summary>Moves what was recorded since the last call into <paramref name="total"/>, recycling the swapped-out histogram.</summary>
    public void DrainInto(HistogramBase total)
    {
        HistogramBase interval = _spare is null ? Latency.GetIntervalHistogram() : Latency.GetIntervalHistogram(_spare);
        total.Add(interval);
        _spare = interval;
    }
}
