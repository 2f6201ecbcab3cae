using FastS3.Api;
using FastS3.Http;

namespace FastS3.Operations;

/// <summary>
/// The access log's file (or standard output, for "-"). Requests only copy their line into a
/// bounded buffer under a short lock; a thread of its own writes the buffer out every 100 ms, so a
/// slow or full disk never holds a request up: a line that finds the buffer full, or whose write
/// fails (no space), is dropped and counted (<see cref="DroppedLines"/>, and a warning at most once a
/// minute). <see cref="Reopen"/> (SIGHUP) makes the next write reopen the path, as logrotate expects.
/// </summary>
internal sealed class AccessLogFile : IAccessLog, IDisposable
{
    public const string StandardOutput = "-";

    /// <summary>Bytes waiting to be written, at most: about 4 000 lines, a busy second's worth.</summary>
    private const int BufferSize = 1024 * 1024;

    private static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    private readonly string _path;
    private readonly IServerLog _log;
    private readonly Lock _gate = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _writer;
    private byte[] _filling = new byte[BufferSize];
    private byte[] _draining = new byte[BufferSize];
    private int _filled;
    private long _dropped;
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
        _output = Open();
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "access log" };
        _writer.Start();
    }

    /// <summary>Lines dropped since start: buffer full, or the write failed.</summary>
    public long DroppedLines => Interlocked.Read(ref _dropped);

    public void Write(ReadOnlySpan<byte> line)
    {
        lock (_gate)
        {
            if (_filled + line.Length <= BufferSize)
            {
                line.CopyTo(_filling.AsSpan(_filled));
                _filled += line.Length;
                return;
            }
        }

        Interlocked.Increment(ref _dropped);
    }

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
            int length;
            lock (_gate)
            {
                (_filling, _draining) = (_draining, _filling);
                length = _filled;
                _filled = 0;
            }

            if (_reopen)
            {
                _reopen = false;
                _output?.Dispose();
                _output = TryOpen();
            }

            WriteOut(_draining.AsSpan(0, length));
            WarnOfDrops();
            if (stopping)
            {
                return;
            }
        }
    }

    private void WriteOut(ReadOnlySpan<byte> lines)
    {
        if (lines.IsEmpty)
        {
            return;
        }

        try
        {
            _output ??= TryOpen();
            if (_output is null)
            {
                throw new IOException($"access log {_path} is not open");
            }

            _output.Write(lines);
        }
        catch (IOException exception)
        {
            // No space, or the path gone: these lines are lost, the next ones are tried again.
            Interlocked.Add(ref _dropped, lines.Count((byte)'\n'));
            _lastFailure = exception.Message;
        }
    }

    private void WarnOfDrops()
    {
        long dropped = DroppedLines;
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
