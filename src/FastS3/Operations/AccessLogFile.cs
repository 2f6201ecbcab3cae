using FastS3.Api;
using FastS3.Http;

namespace FastS3.Operations;

/// <summary>
/// The access log's file (or standard output, for "-"). A request only writes its record (raw
/// values, see <see cref="AccessLogLine"/>) into its <see cref="Queue"/>: one compare-and-swap,
/// no lock, no formatting, no system call but one wake-up in a few hundred requests. A thread of
/// its own formats the records into JSON lines and writes them out every 100 ms, or after every
/// 128 KiB of records, so a slow or full disk never holds a request up: a record that finds the ring full,
/// or a line whose write fails (no space), is dropped and counted (<see cref="AccessLogQueue.DroppedLines"/>, and a
/// warning at most once a minute). <see cref="Reopen"/> (SIGHUP) makes the next write reopen the
/// path, as logrotate expects.
/// </summary>
internal sealed class AccessLogFile : IDisposable
{
    public const string StandardOutput = "-";

    /// <summary>Bytes of records waiting to be written, at most: about 8 000 requests, room for the writer to stall.</summary>
    private const int RingSize = 2 * 1024 * 1024;

    /// <summary>Bytes of records after which the writer is woken before its 100 ms are up.</summary>
    private const int WakeMark = 128 * 1024;

    /// <summary>Lines written with one system call, at most.</summary>
    private const int ChunkSize = 256 * 1024;

    private static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    private readonly string _path;
    private readonly IServerLog _log;
    private readonly byte[] _record = new byte[AccessLogLine.MaxRecordLength];
    private readonly AccessLogFormat _format = new();
    private readonly byte[] _chunk = new byte[ChunkSize];
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _writer;
    private long _droppedWarned;
    private long _lastWarning = long.MinValue / 2;
    private string? _lastFailure;
    private Stream? _output;
    private volatile bool _reopen;
    private volatile bool _stopping;

    /// <summary>Opens (appending, creating) <paramref name="path"/> at once, so a path that cannot be written is an error at start.</summary>
    public AccessLogFile(string path, IServerLog log)
    {
        _path = path;
        _log = log;
        Queue = new AccessLogQueue(RingSize, WakeMark, _wake);
        _output = Open();
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "access log" };
        _writer.Start();
    }

    /// <summary>Where the requests put their records (<see cref="S3Application"/>'s access log).</summary>
    public AccessLogQueue Queue { get; }

    /// <summary>Closes the file and opens the path again before the next write (after a rename by logrotate).</summary>
    public void Reopen()
    {
        _reopen = true;
        _wake.Set();
    }

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        _writer.Join();
        _output?.Dispose();
        _wake.Dispose();
    }

    private Stream Open() => _path == StandardOutput
        ? Console.OpenStandardOutput()
        : new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

    private void WriteLoop()
    {
        while (true)
        {
            bool stopping = _stopping;
            _wake.WaitOne(WriteInterval);
            if (_reopen)
            {
                _reopen = false;
                _output?.Dispose();
                _output = TryOpen();
            }

            WriteWaiting();
            WarnOfDrops();
            if (stopping)
            {
                return;
            }
        }
    }

    /// <summary>Formats what the ring holds, and writes it out in chunks.</summary>
    private void WriteWaiting()
    {
        int length = 0;
        int lines = 0;
        while (Queue.TryRead(_record, out int recordLength))
        {
            length += _format.Format(_record.AsSpan(0, recordLength), _chunk, length);
            lines++;
            if (ChunkSize - length < AccessLogFormat.MaxLineLength)
            {
                WriteOut(_chunk.AsSpan(0, length), lines);
                length = 0;
                lines = 0;
            }
        }

        if (lines > 0)
        {
            WriteOut(_chunk.AsSpan(0, length), lines);
        }
    }

    private void WriteOut(ReadOnlySpan<byte> chunk, int lines)
    {
        try
        {
            _output ??= TryOpen();
            if (_output is null)
            {
                throw new IOException($"access log {_path} is not open");
            }

            _output.Write(chunk);
        }
        catch (IOException exception)
        {
            // No space, or the path gone: these lines are lost, the next ones are tried again.
            Queue.CountDropped(lines);
            _lastFailure = exception.Message;
        }
    }

    private void WarnOfDrops()
    {
        long dropped = Queue.DroppedLines;
        long now = Environment.TickCount64;
        if (dropped > _droppedWarned && now - _lastWarning >= WarningInterval.TotalMilliseconds)
        {
            _log.Warning($"access log {_path}: {dropped - _droppedWarned} line(s) dropped ({_lastFailure ?? "more requests than it could take"})");
            _lastWarning = now;
            _droppedWarned = dropped;
            _lastFailure = null;
        }
    }

    private Stream? TryOpen()
    {
        try
        {
            return Open();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
