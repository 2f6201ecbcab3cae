using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using FastS3.Http.Internal;

namespace FastS3.Http;

/// <summary>
/// Builds one response straight into the connection's output pipe. The head is written on the first
/// body write, flush or completion; the body goes through <see cref="BodyWriter"/>, whose buffers
/// are the pipe's own, so large bodies are produced in place and never copied through arrays.
/// A known <see cref="ContentLength"/> is enforced; otherwise the body is chunked.
/// </summary>
public sealed class HttpResponse
{
    private readonly HttpConnection _connection;
    private readonly BodyPipeWriter _bodyWriter;
    private int _statusCode = 200;
    private long _contentLength = -1;
    private long _written;
    private bool _chunked;
    private bool _bodyless;

    internal HttpResponse(HttpConnection connection)
    {
        _connection = connection;
        _bodyWriter = new BodyPipeWriter(this);
    }

    public int StatusCode
    {
        get => _statusCode;
        set
        {
            ThrowIfStarted();
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 200);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 599);
            _statusCode = value;
        }
    }

    /// <summary>Body length, or -1 for a chunked (HTTP/1.0: close-delimited) body.</summary>
    public long ContentLength
    {
        get => _contentLength;
        set
        {
            ThrowIfStarted();
            ArgumentOutOfRangeException.ThrowIfLessThan(value, -1);
            _contentLength = value;
        }
    }

    public HttpResponseHeaders Headers { get; } = new();

    public bool HasStarted { get; private set; }

    /// <summary>When the head was written (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>): the time to first byte.</summary>
    public long StartedAt { get; private set; }

    /// <summary>Body bytes written so far (before any chunk framing).</summary>
    public long BodyBytesWritten => _written;

    /// <summary>True when this response may not carry a body: a HEAD request, 204 or 304.</summary>
    public bool IsBodyless => _connection.Request.Method == HttpMethod.Head || _statusCode is 204 or 304;

    /// <summary>Writes body bytes into the output pipe's buffers (GetMemory/Advance, then FlushAsync).</summary>
    public PipeWriter BodyWriter => _bodyWriter;

    /// <summary>True when the connection will close after this response.</summary>
    internal bool KeepAlive { get; private set; }

    /// <summary>Copies <paramref name="data"/> into the body.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            Span<byte> destination = _bodyWriter.GetSpan();
            int take = Math.Min(destination.Length, data.Length);
            data[..take].CopyTo(destination);
            _bodyWriter.Advance(take);
            data = data[take..];
        }
    }

    /// <summary>Sends what has been written so far, waiting while the client is slow to read.</summary>
    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        EnsureStarted();
        return _connection.FlushAsync(cancellationToken);
    }

    internal void Reset()
    {
        _statusCode = 200;
        _contentLength = -1;
        _written = 0;
        _chunked = false;
        _bodyless = false;
        HasStarted = false;
        KeepAlive = false;
        Headers.Reset();
    }

    /// <summary>Ends the body; false when the declared length was not met and the connection must die.</summary>
    internal bool Complete()
    {
        if (!HasStarted && _contentLength < 0)
        {
            _contentLength = 0;
        }

        EnsureStarted();
        if (_chunked)
        {
            _connection.Output.Write("0\r\n\r\n"u8);
            return true;
        }

        return _bodyless || _contentLength < 0 || _written == _contentLength;
    }

    private void EnsureStarted()
    {
        if (!HasStarted)
        {
            WriteHead();
        }
    }

    private void WriteHead()
    {
        HasStarted = true;
        StartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        HttpRequest request = _connection.Request;
        _bodyless = IsBodyless;

        // A body left unread must be drained after the response, or the connection closed, since
        // the next request starts after it.
        KeepAlive = request.KeepAlive && (request.Body.IsCompleted || request.Body.CanDrain) && !_connection.IsStopping;
        if (_contentLength < 0 && !_bodyless)
        {
            if (request.Version == HttpVersion.Http11)
            {
                _chunked = true;
            }
            else
            {
                KeepAlive = false;
            }
        }

        PipeWriter output = _connection.Output;
        ReadOnlySpan<byte> status = StatusLines.Get(_statusCode);
        ReadOnlySpan<byte> date = DateHeader.Line;
        ReadOnlySpan<byte> server = _connection.ServerHeader;
        ReadOnlySpan<byte> extra = Headers.Encoded;
        Span<byte> head = output.GetSpan(status.Length + date.Length + server.Length + extra.Length + 96);
        int n = 0;
        Append(head, ref n, status);
        Append(head, ref n, date);
        Append(head, ref n, server);
        if (_chunked)
        {
            Append(head, ref n, "Transfer-Encoding: chunked\r\n"u8);
        }
        else if (_contentLength >= 0 && _statusCode != 204)
        {
            Append(head, ref n, "Content-Length: "u8);
            Utf8Formatter.TryFormat(_contentLength, head[n..], out int digits);
            n += digits;
            Append(head, ref n, "\r\n"u8);
        }

        if (!KeepAlive)
        {
            Append(head, ref n, "Connection: close\r\n"u8);
        }
        else if (request.Version == HttpVersion.Http10)
        {
            Append(head, ref n, "Connection: keep-alive\r\n"u8);
        }

        Append(head, ref n, extra);
        Append(head, ref n, "\r\n"u8);
        output.Advance(n);
    }

    private static void Append(Span<byte> destination, ref int position, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[position..]);
        position += bytes.Length;
    }

    private void ThrowIfStarted()
    {
        if (HasStarted)
        {
            throw new InvalidOperationException("The response has already started.");
        }
    }

    /// <summary>
    /// Hands out the output pipe's memory. For chunked bodies it reserves room for the chunk-size line
    /// in front of the memory it returns, then fills it in on Advance, so chunks are framed in place.
    /// </summary>
    private sealed class BodyPipeWriter : PipeWriter
    {
        // "XXXXXXXX\r\n": fixed-width hex lets the prefix be written after the data.
        private const int ChunkPrefixSize = 10;
        private const int ChunkSuffixSize = 2;

        private readonly HttpResponse _response;
        private Memory<byte> _reserved;

        public BodyPipeWriter(HttpResponse response) => _response = response;

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            PipeWriter output = Prepare();
            if (!_response._chunked)
            {
                return output.GetMemory(sizeHint);
            }

            _reserved = output.GetMemory(Math.Max(sizeHint, 1) + ChunkPrefixSize + ChunkSuffixSize);
            return _reserved[ChunkPrefixSize..^ChunkSuffixSize];
        }

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void Advance(int bytes)
        {
            HttpResponse response = _response;
            if (response._contentLength >= 0 && response._written + bytes > response._contentLength)
            {
                throw new InvalidOperationException("Response body exceeds the declared Content-Length.");
            }

            response._written += bytes;
            PipeWriter output = response._connection.Output;
            if (!response._chunked)
            {
                output.Advance(bytes);
                return;
            }

            if (bytes == 0)
            {
                return;
            }

            Span<byte> frame = _reserved.Span;
            WriteChunkPrefix(frame, bytes);
            frame[ChunkPrefixSize + bytes] = (byte)'\r';
            frame[ChunkPrefixSize + bytes + 1] = (byte)'\n';
            output.Advance(ChunkPrefixSize + bytes + ChunkSuffixSize);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
            => _response.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => _response._connection.Output.CancelPendingFlush();

        public override void Complete(Exception? exception = null)
        {
            // The response's end is the connection's business: it writes the terminator after the app returns.
        }

        private PipeWriter Prepare()
        {
            HttpResponse response = _response;
            response.EnsureStarted();
            if (response._bodyless)
            {
                throw new InvalidOperationException("This response carries no body (HEAD, 204 or 304).");
            }

            return response._connection.Output;
        }

        private static void WriteChunkPrefix(Span<byte> frame, int length)
        {
            for (int i = 7; i >= 0; i--)
            {
                frame[i] = (byte)"0123456789abcdef"[length & 0xF];
                length >>= 4;
            }

            frame[8] = (byte)'\r';
            frame[9] = (byte)'\n';
        }
    }
}
