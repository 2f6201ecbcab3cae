using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using FastS3.Http.Internal;
using FastS3.Http.Metrics;
using FastS3.Memory;

namespace FastS3.Http;

/// <summary>
/// One client connection: optional TLS handshake, then a loop that reads a request head, hands the
/// request to the application and finishes the response; a lingering close when the last request
/// was answered before it was read to its end. Pipelined requests already buffered are answered
/// with a single flush. Instances are pooled and reused, with their request, response and header
/// storage, so steady traffic allocates nothing per request.
/// </summary>
internal sealed class HttpConnection : IThreadPoolWorkItem
{
    internal enum TimeoutKind
    {
        None,
        Handshake,
        KeepAlive,
        RequestHeaders,
        RequestBody,
        ResponseWrite,
        Linger,
    }

    private static readonly StreamPipeReaderOptions ReaderOptions = new(
        ClearingMemoryPool.Instance, bufferSize: 16 * 1024, minimumReadSize: 2048, leaveOpen: true, useZeroByteReads: true);

    private static readonly StreamPipeWriterOptions WriterOptions = new(ClearingMemoryPool.Instance, minimumBufferSize: 16 * 1024, leaveOpen: true);

    private readonly HttpServer _server;
    private readonly HttpLimits _limits;

    private Socket? _socket;
    private Stream? _stream;
    private PipeReader? _input;
    private PipeWriter? _output;
    private Parsing.RequestHeadScanner _scanner;
    private byte[] _headCopy = [];
    private int _headCopyLength;
    private long _deadline = long.MaxValue;
    private int _timeoutKind;
    private int _timedOut;
    private int _waitingForRequest;
    private volatile bool _aborted;
    private volatile bool _closing;
    private bool _responsePending;

    /// <summary>The connection closes on a request answered before it was read to its end.</summary>
    private bool _lingerOnClose;

    public HttpConnection(HttpServer server)
    {
        _server = server;
        _limits = server.Options.Limits;
        Request = new HttpRequest(this, _limits);
        Response = new HttpResponse(this);
    }

    public long Id { get; private set; }

    public HttpRequest Request { get; }

    public HttpResponse Response { get; }

    public Task Completion { get; private set; } = Task.CompletedTask;

    internal PipeReader Input => _input!;

    internal PipeWriter Output => _output!;

    internal ReadOnlySpan<byte> ServerHeader => _server.ServerHeader;

    /// <summary>Which deadline, if any, the heartbeat enforced on this connection.</summary>
    internal TimeoutKind TimedOut => (TimeoutKind)Volatile.Read(ref _timedOut);

    internal bool IsStopping => _closing || _server.IsStopping;

    /// <summary>Prepares a pooled instance for a new client; <paramref name="socket"/> is null for in-memory use.</summary>
    public void Initialize(Socket? socket, long id, bool isTls)
    {
        _socket = socket;
        Id = id;
        _aborted = false;
        _closing = false;
        _lingerOnClose = false;
        _timedOut = (int)TimeoutKind.None;
        Volatile.Write(ref _deadline, long.MaxValue);
        Request.IsTls = isTls;
        Request.TlsProtocol = System.Security.Authentication.SslProtocols.None;
        Request.RemoteEndPoint = socket?.RemoteEndPoint;
        _completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Completion = _completion.Task;
    }

    private TaskCompletionSource? _completion;

    public void Execute() => _ = RunAsync();

    /// <summary>Asks the connection to finish its current request and close; idle ones close now.</summary>
    public void RequestStop()
    {
        _closing = true;
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _waitingForRequest) == 1)
        {
            _input?.CancelPendingRead();
        }
    }

    /// <summary>Closes the socket under whatever is pending; used for timeouts and forced shutdown.</summary>
    public void Abort()
    {
        _aborted = true;
        _socket?.Dispose();
    }

    /// <summary>Called by the server's heartbeat once a second.</summary>
    public void OnHeartbeat(long now)
    {
        long deadline = Volatile.Read(ref _deadline);
        if (deadline == long.MaxValue)
        {
            return;
        }

        var kind = (TimeoutKind)Volatile.Read(ref _timeoutKind);
        bool expired = now >= deadline
            || (kind == TimeoutKind.RequestBody && _limits.MinRequestBodyDataRate is { } rate
                && Request.Body.Timing.IsTooSlow(now, rate, Request.Body.BytesRead));
        if (!expired || Interlocked.CompareExchange(ref _deadline, long.MaxValue, deadline) != deadline)
        {
            return;
        }

        Volatile.Write(ref _timedOut, (int)kind);
        if (kind is TimeoutKind.KeepAlive or TimeoutKind.RequestHeaders or TimeoutKind.RequestBody)
        {
            // Wake the read: the loop answers 408 when a request had begun, while the client may still read it.
            _input?.CancelPendingRead();
        }
        else
        {
            Abort();
        }
    }

    /// <summary>Arms the deadline of <paramref name="kind"/> from now; returns it.</summary>
    internal long SetTimeout(TimeoutKind kind)
    {
        TimeSpan timeout = kind switch
        {
            TimeoutKind.Handshake => _limits.TlsHandshakeTimeout,
            TimeoutKind.KeepAlive => _limits.KeepAliveTimeout,
            TimeoutKind.RequestHeaders => _limits.RequestHeadersTimeout,
            TimeoutKind.RequestBody => _limits.BodyReadTimeout,
            TimeoutKind.Linger => _limits.LingerTimeout,
            _ => _limits.ResponseWriteTimeout,
        };
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        SetDeadline(kind, deadline);
        return deadline;
    }

    private void SetDeadline(TimeoutKind kind, long deadline)
    {
        Volatile.Write(ref _timeoutKind, (int)kind);
        Volatile.Write(ref _deadline, deadline);
    }

    internal void ClearTimeout() => Volatile.Write(ref _deadline, long.MaxValue);

    internal ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        SetTimeout(TimeoutKind.ResponseWrite);
        ValueTask<FlushResult> flush = _output!.FlushAsync(cancellationToken);
        if (flush.IsCompletedSuccessfully)
        {
            ClearTimeout();
            return flush;
        }

        return AwaitFlushAsync(flush);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<FlushResult> AwaitFlushAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            return await flush;
        }
        finally
        {
            ClearTimeout();
        }
    }

    internal async ValueTask SendContinueAsync()
    {
        if (!Response.HasStarted)
        {
            _output!.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);
            await FlushAsync();
        }
    }

    /// <summary>Serves a connection whose bytes come from pipes rather than a socket (tests, benchmarks).</summary>
    internal async Task RunAsync(PipeReader input, PipeWriter output)
    {
        try
        {
            await ServeAsync(input, output);
        }
        finally
        {
            await CloseAsync();
        }
    }

    private async Task RunAsync()
    {
        try
        {
            var network = new CountingNetworkStream(_socket!, _server.Metrics);
            _stream = network;
            if (_server.Options.Certificate is { } certificate)
            {
                var tls = new ScrubbingSslStream(network);
                _stream = tls;
                SetTimeout(TimeoutKind.Handshake);
                bool completed = false;
                try
                {
                    await tls.AuthenticateAsServerAsync(_server.GetTlsOptions(certificate), CancellationToken.None);
                    Request.TlsProtocol = tls.SslProtocol;
                    completed = true;
                }
                finally
                {
                    _server.Metrics.OnHandshake(completed);
                }

                ClearTimeout();
            }

            await ServeAsync(PipeReader.Create(_stream, ReaderOptions), PipeWriter.Create(_stream, WriterOptions));

            // Not after a timeout: that client has had its time (and an aborted one is gone).
            if (_lingerOnClose && TimedOut == TimeoutKind.None && !_aborted && _limits.LingerTimeout > TimeSpan.Zero)
            {
                await LingerAsync();
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException
            or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            // The client went away, the handshake failed, or a timeout aborted the socket.
        }
        catch (Exception ex)
        {
            _server.Options.Log.Error($"connection {Id}: unexpected failure", ex);
        }
        finally
        {
            await CloseAsync();
        }
    }

    /// <summary>Runs the request loop over any duplex pipe; sockets come here after TLS, tests directly.</summary>
    internal Task ServeAsync(PipeReader input, PipeWriter output)
    {
        _input = input;
        _output = output;
        return ProcessRequestsAsync();
    }

    private async Task ProcessRequestsAsync()
    {
        bool first = true;
        while (true)
        {
            ForgetHeadCopy();
            Request.Reset();
            Response.Reset();
            _scanner.Reset();

            ReadOnlySequence<byte>? head = await ReadHeadAsync(first);
            if (head is null)
            {
                return;
            }

            first = false;

            if (!ParseHead(head.Value, out bool headHeld))
            {
                await FlushAsync();
                return;
            }

            try
            {
                await _server.Application.ProcessAsync(Request, Response);
            }
            catch (BadHttpRequestException ex) when (!Response.HasStarted)
            {
                _closing = true;
                RejectWith(ex.StatusCode, ex.Reason);
                await FlushAsync();
                return;
            }
            // A socket error (the client reset the connection while the application read its body) is
            // not the application's failure: it goes on to the connection's "client went away" handler.
            catch (Exception ex) when (!_aborted && ex is not BadHttpRequestException && ex is not IOException { InnerException: SocketException } && !Response.HasStarted)
            {
                _server.Options.Log.Error($"connection {Id}: application failed", ex);
                _closing = true;
                RejectWith(500, null);
                await FlushAsync();
                return;
            }

            if (!Response.Complete())
            {
                _server.Options.Log.Error($"connection {Id}: response shorter than its Content-Length; closing");
                await FlushAsync();
                return;
            }

            if (Response.KeepAlive && !Request.Body.IsCompleted)
            {
                // The client gets its answer first; the small rest of its body is discarded after.
                await FlushAsync();
                if (!await Request.Body.TryDrainAsync())
                {
                    return;
                }
            }

            if (headHeld)
            {
                _input!.AdvanceTo(head.Value.End);
            }
            else
            {
                Request.Body.ReleasePending();
            }

            // A timeout that fired as the request was finishing has woken, or will wake, a read: close.
            if (!Response.KeepAlive || TimedOut != TimeoutKind.None)
            {
                _lingerOnClose = !Request.Body.IsCompleted;
                await FlushAsync();
                return;
            }

            // Pipelined requests already buffered are answered before one flush for all of them;
            // ReadHeadAsync flushes before it has to wait for more bytes.
            _responsePending = false;
            if (_input!.TryRead(out ReadResult buffered))
            {
                _responsePending = !buffered.Buffer.IsEmpty;
                _input.AdvanceTo(buffered.Buffer.Start);
            }

            if (!_responsePending)
            {
                await FlushAsync();
            }
        }
    }

    /// <summary>
    /// Reads until a whole request head is buffered. Null when the connection should close quietly
    /// (client gone, idle timeout, shutdown) or after a rejection was written.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlySequence<byte>?> ReadHeadAsync(bool first)
    {
        bool begun = false;

        // A new connection owes its first head within the header timeout, said or not.
        long headDeadline = first ? SetTimeout(TimeoutKind.RequestHeaders) : 0;

        while (true)
        {
            if (!begun)
            {
                Interlocked.Exchange(ref _waitingForRequest, 1);
                if (IsStopping)
                {
                    return null;
                }

                if (!first)
                {
                    SetTimeout(TimeoutKind.KeepAlive);
                }
            }

            ReadResult result = await _input!.ReadAsync();
            Volatile.Write(ref _waitingForRequest, 0);
            ReadOnlySequence<byte> buffer = result.Buffer;

            if (result.IsCanceled)
            {
                var timedOut = (TimeoutKind)Volatile.Read(ref _timedOut);
                if (timedOut == TimeoutKind.RequestHeaders && begun)
                {
                    _input.AdvanceTo(buffer.End);
                    _closing = true;
                    RejectWith(408, RequestRejectionReason.RequestHeadersTimeout);
                    await FlushAsync();
                    return null;
                }

                // Nothing was said (or shutdown came between requests): there is no one to answer.
                if (timedOut is TimeoutKind.KeepAlive or TimeoutKind.RequestHeaders || (IsStopping && buffer.IsEmpty))
                {
                    _input.AdvanceTo(buffer.End);
                    return null;
                }
            }

            if (!begun)
            {
                buffer = SkipLeadingEmptyLines(buffer);
            }

            // A lone CR before the request line may be an empty line whose LF is still on its way.
            bool partialEmptyLine = !begun && buffer.Length == 1 && buffer.FirstSpan[0] == (byte)'\r';
            if (!buffer.IsEmpty && !partialEmptyLine)
            {
                if (!begun)
                {
                    // The header deadline runs from the first byte (the first request's from the
                    // connection's start) and is not extended by later ones.
                    begun = true;
                    if (!first)
                    {
                        headDeadline = SetTimeout(TimeoutKind.RequestHeaders);
                    }
                }

                int headLength;
                try
                {
                    if (_scanner.TryFind(buffer, _limits, out headLength))
                    {
                        ClearTimeout();
                        return buffer.Slice(0, headLength);
                    }
                }
                catch (BadHttpRequestException ex)
                {
                    _input.AdvanceTo(buffer.End);
                    _closing = true;
                    RejectWith(ex.StatusCode, ex.Reason);
                    await FlushAsync();
                    return null;
                }
            }

            if (result.IsCompleted)
            {
                // The client closed, possibly in the middle of a head: nothing to answer.
                ClearTimeout();
                _input.AdvanceTo(buffer.End);
                return null;
            }

            _input.AdvanceTo(buffer.Start, buffer.End);

            // Answers to earlier pipelined requests must not wait for this one's missing bytes.
            if (_responsePending)
            {
                _responsePending = false;
                await FlushAsync();

                // The flush borrowed the deadline; the head's own resumes, not extended by the wait.
                if (begun || first)
                {
                    SetDeadline(TimeoutKind.RequestHeaders, headDeadline);
                }
            }
        }
    }

    /// <summary>
    /// Consumes CRLFs before a request line, which RFC 9112 asks servers to ignore (some clients
    /// send one after a POST body).
    /// </summary>
    private static ReadOnlySequence<byte> SkipLeadingEmptyLines(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (reader.IsNext("\r\n"u8, advancePast: true))
        {
        }

        // The skipped bytes are consumed by whichever AdvanceTo follows, as they precede the slice.
        return reader.Consumed == 0 ? buffer : buffer.Slice(reader.Position);
    }

    /// <summary>
    /// Parses the head in place when it lies in one buffer segment and the request has no body
    /// (the common GET/HEAD/DELETE case): the pipe is then held until the response is done.
    /// Otherwise the head is copied out first, because reading the body recycles the buffers.
    /// </summary>
    private bool ParseHead(ReadOnlySequence<byte> head, out bool headHeld)
    {
        headHeld = false;
        try
        {
            if (head.IsSingleSegment)
            {
                Request.Parse(head.First, _limits);
                if (!Request.HasBody)
                {
                    headHeld = true;
                    return true;
                }

                Request.Rebase(CopyHead(head));
            }
            else
            {
                Request.Parse(CopyHead(head), _limits);
            }

            _input!.AdvanceTo(head.End);
            return true;
        }
        catch (BadHttpRequestException ex)
        {
            // Answered before the head's buffers go back: the application may look at what parsed.
            _closing = true;
            RejectWith(ex.StatusCode, ex.Reason);
            _input!.AdvanceTo(head.End);
            return false;
        }
    }

    private ReadOnlyMemory<byte> CopyHead(in ReadOnlySequence<byte> head)
    {
        int length = (int)head.Length;
        if (_headCopy.Length < length)
        {
            ForgetHeadCopy();
            if (_headCopy.Length > 0)
            {
                PinnedBufferPool.Shared.Return(_headCopy);
            }

            _headCopy = PinnedBufferPool.Shared.Rent(length);
        }

        head.CopyTo(_headCopy);
        _headCopyLength = length;
        return _headCopy.AsMemory(0, length);
    }

    /// <summary>Zeroes the last copied head: it may hold the request's secrets (keys, credentials).</summary>
    private void ForgetHeadCopy()
    {
        _headCopy.AsSpan(0, _headCopyLength).Clear();
        _headCopyLength = 0;
    }

    /// <summary>
    /// Answers a request the transport refused (<paramref name="reason"/> null: the application
    /// failed), shaped by the application; the connection then closes, while the rest of the
    /// request may still be coming.
    /// </summary>
    private void RejectWith(int statusCode, RequestRejectionReason? reason)
    {
        if (Response.HasStarted)
        {
            return;
        }

        _lingerOnClose = true;

        Response.Reset();
        Response.StatusCode = statusCode;
        try
        {
            _server.Application.WriteTransportError(Request, Response, reason);
        }
        catch (Exception ex) when (!Response.HasStarted)
        {
            _server.Options.Log.Error($"connection {Id}: shaping a {statusCode} failed", ex);
            Response.Reset();
            Response.StatusCode = statusCode;
        }

        Response.Complete();
    }

    /// <summary>
    /// Writes the refusal of a connection beyond <see cref="HttpLimits.MaxConnections"/> into
    /// <paramref name="output"/>; used on an instance that serves no client.
    /// </summary>
    internal void WriteRefusal(PipeWriter output)
    {
        _output = output;
        _closing = true;
        Request.Reset();
        Response.Reset();
        RejectWith(Reject.StatusFor(RequestRejectionReason.ConnectionLimit), RequestRejectionReason.ConnectionLimit);
    }

    /// <summary>
    /// Closes on a client that may still be sending the request just answered, as nginx's lingering
    /// close does (see <see cref="LingeringClose"/>): TLS first says the answer is whole
    /// (close_notify), then TCP ends the stream. The whole of it, a close_notify stuck behind a
    /// client that does not read included, is bounded by <see cref="HttpLimits.LingerTimeout"/>,
    /// which the heartbeat enforces by aborting, and by <see cref="HttpLimits.MaxLingerSize"/>.
    /// The connection still counts against <see cref="HttpLimits.MaxConnections"/> meanwhile.
    /// </summary>
    private async ValueTask LingerAsync()
    {
        SetTimeout(TimeoutKind.Linger);
        if (_stream is SslStream tls)
        {
            await tls.ShutdownAsync();
        }

        await LingeringClose.RunAsync(_socket!, _limits.MaxLingerSize, CancellationToken.None);
    }

    private async ValueTask CloseAsync()
    {
        ClearTimeout();
        try
        {
            if (_output is not null)
            {
                await _output.CompleteAsync();
            }

            if (_input is not null)
            {
                await _input.CompleteAsync();
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        try
        {
            if (_stream is not null)
            {
                await _stream.DisposeAsync();
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
        }

        _socket?.Dispose();
        _socket = null;
        _stream = null;
        _input = null;
        _output = null;
        Request.Reset();
        Request.Body.ReturnBuffers();
        Response.Reset();
        Response.Headers.ReturnBuffers();
        ForgetHeadCopy();
        if (_headCopy.Length > 0)
        {
            PinnedBufferPool.Shared.Return(_headCopy);
            _headCopy = [];
        }

        TaskCompletionSource? completion = _completion;
        _completion = null;
        _server.OnConnectionClosed(this);
        completion?.TrySetResult();
    }
}
