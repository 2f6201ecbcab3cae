using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Tasks.Sources;
using FastS3.Http;

namespace FastS3.Benchmarks;

/// <summary>
/// The real connection loop (<see cref="HttpServer"/>'s in-memory ServeAsync) on one keep-alive
/// connection with no socket: <see cref="Run"/> hands it one whole request, lets it parse, call the
/// application and flush the response into a discarding writer, and returns once the loop waits for
/// the next request. The connection is served on the caller's thread until something really goes
/// asynchronous (file I/O), so a benchmark op is one request and nothing else.
/// </summary>
internal sealed class ReplayConnection : IDisposable
{
    private readonly ReplayPipeReader _input = new();
    private readonly DiscardPipeWriter _output = new();
    private readonly Task _serving;

    public ReplayConnection(IHttpApplication application, bool isTls = false)
    {
        var server = new HttpServer(new HttpServerOptions(), application);
        _serving = server.ServeAsync(_input, _output, isTls);
        _input.WaitParked();
    }

    /// <summary>Replays <paramref name="request"/> from now on, delivered in pieces of <paramref name="pieceSize"/> bytes (a socket's receives).</summary>
    public void Load(byte[] request, int pieceSize = 16 * 1024) => _input.Load(request, pieceSize);

    /// <summary>Serves the loaded request once.</summary>
    public void Run()
    {
        _input.Deliver();
        _input.WaitParked();
        if (_input.Closed)
        {
            throw new InvalidOperationException("the connection closed", _serving.Exception);
        }
    }

    /// <summary>Serves the loaded request once and returns the response bytes (set-up checks only: allocates).</summary>
    public byte[] RunCaptured()
    {
        _output.Capture = new MemoryStream();
        Run();
        byte[] response = _output.Capture.ToArray();
        _output.Capture = null;
        return response;
    }

    public void Dispose() => _input.Dispose();
}

/// <summary>
/// Gives the loaded request in fixed pieces (one more each time the reader has examined all it has),
/// then parks the read until the next <see cref="Deliver"/>, which completes it inline.
/// </summary>
internal sealed class ReplayPipeReader : PipeReader, IValueTaskSource<ReadResult>, IDisposable
{
    private readonly ManualResetEventSlim _parked = new(false);
    private ManualResetValueTaskSourceCore<ReadResult> _read = new() { RunContinuationsAsynchronously = false };
    private ReadOnlySequence<byte> _all = ReadOnlySequence<byte>.Empty;
    private SequencePosition[] _pieceEnds = [];
    private SequencePosition _consumed;
    private long _examined;
    private int _delivered;

    public void Load(byte[] request, int pieceSize)
    {
        _all = Piece.Split(request, pieceSize);
        var ends = new List<SequencePosition>();
        for (long end = pieceSize; end < request.Length + pieceSize; end += pieceSize)
        {
            ends.Add(_all.GetPosition(Math.Min(end, request.Length)));
        }

        _pieceEnds = [.. ends];
        _delivered = _pieceEnds.Length;
        _consumed = _all.End;
        _examined = request.Length;
    }

    public void Deliver()
    {
        _parked.Reset();
        _consumed = _all.Start;
        _examined = 0;
        _delivered = 1;
        _read.SetResult(Current());
    }

    public void WaitParked()
    {
        if (!_parked.Wait(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("the connection did not come back for the next request");
        }
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_examined >= DeliveredEnd && _delivered < _pieceEnds.Length)
        {
            _delivered++;
        }

        if (_examined < DeliveredEnd)
        {
            return new ValueTask<ReadResult>(Current());
        }

        // Everything given was examined: the request is done (or stuck); wait for the next round.
        _read.Reset();
        _parked.Set();
        return new ValueTask<ReadResult>(this, _read.Version);
    }

    public override bool TryRead(out ReadResult result)
    {
        result = Current();
        return _examined < DeliveredEnd;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _consumed = consumed;
        _examined = Math.Max(_all.GetOffset(examined), _all.GetOffset(consumed));
    }

    public override void CancelPendingRead()
    {
    }

    /// <summary>The connection loop ended (it completes its input when it closes).</summary>
    public bool Closed { get; private set; }

    public override void Complete(Exception? exception = null)
    {
        Closed = true;
        _parked.Set();
    }

    public ReadResult GetResult(short token) => _read.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _read.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _read.OnCompleted(continuation, state, token, flags);

    public void Dispose() => _parked.Dispose();

    private long DeliveredEnd => _delivered == 0 ? 0 : _all.GetOffset(_pieceEnds[_delivered - 1]);

    private ReadResult Current() => _delivered == 0
        ? default
        : new(_all.Slice(_consumed, _pieceEnds[_delivered - 1]), isCanceled: false, isCompleted: false);

    private sealed class Piece : ReadOnlySequenceSegment<byte>
    {
        public static ReadOnlySequence<byte> Split(byte[] bytes, int pieceSize)
        {
            Piece? first = null, last = null;
            for (int at = 0; at < bytes.Length; at += pieceSize)
            {
                // Each piece its own array, as separate receive buffers are.
                var piece = new Piece { Memory = bytes.AsSpan(at, Math.Min(pieceSize, bytes.Length - at)).ToArray(), RunningIndex = at };
                if (last is null)
                {
                    first = piece;
                }
                else
                {
                    last.Next = piece;
                }

                last = piece;
            }

            return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
        }
    }
}

/// <summary>An output pipe that throws the response away on every flush (or keeps it, for set-up checks).</summary>
internal sealed class DiscardPipeWriter : PipeWriter
{
    private readonly byte[] _buffer = new byte[1024 * 1024];
    private int _written;

    public MemoryStream? Capture { get; set; }

    public override void Advance(int bytes) => _written += bytes;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_buffer.Length - _written < Math.Max(sizeHint, 1))
        {
            throw new InvalidOperationException("more than 1 MiB written between flushes");
        }

        return _buffer.AsMemory(_written);
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Capture?.Write(_buffer, 0, _written);
        _written = 0;
        return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: false));
    }

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }
}
