using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using FastS3.Http.Internal;
using FastS3.Http.Parsing;
using FastS3.Memory;

namespace FastS3.Http;

/// <summary>
/// Streams a request body as slices of the connection's receive buffers: Content-Length and chunked
/// bodies alike are handed out without copying. Each slice returned by <see cref="ReadAsync"/> is
/// valid until the next call and is taken as consumed by it; an empty result marks the end. A body
/// cut short raises <see cref="BadHttpRequestException"/> and is never reported as complete.
/// <c>100 Continue</c> goes out on the first read, so an application that rejects a request
/// before reading its body saves the client from sending it.
/// </summary>
public sealed class HttpRequestBody
{
    internal enum Framing : byte
    {
        None,
        ContentLength,
        Chunked,
    }

    private enum ChunkState : byte
    {
        Prefix,
        Data,
        Suffix,
        Trailers,
        Complete,
    }

    private const long MaxDrainSize = 256 * 1024;

    private readonly HttpConnection _connection;
    private readonly HttpRequest _request;
    private readonly HttpLimits _limits;

    private Framing _framing;
    private ChunkState _chunkState;
    private long _remaining;
    private long _received;
    private bool _continueSent;
    private bool _hasPending;
    private SequencePosition _pendingEnd;
    private byte[]? _trailerBuffer;
    private int _trailerLength;

    internal HttpRequestBody(HttpConnection connection, HttpRequest request, HttpLimits limits)
    {
        _connection = connection;
        _request = request;
        _limits = limits;
    }

    /// <summary>True once every body byte has been handed out (always true for a request without a body).</summary>
    public bool IsCompleted => _framing switch
    {
        Framing.None => true,
        Framing.ContentLength => _remaining == 0,
        _ => _chunkState == ChunkState.Complete,
    };

    /// <summary>
    /// Whether an unread rest may be read and discarded after the response to keep the connection:
    /// only a known, small remainder that the client is actually sending (not one still waiting
    /// for 100 Continue). Anything else closes the connection instead.
    /// </summary>
    internal bool CanDrain => _framing == Framing.ContentLength && _remaining <= MaxDrainSize && (_continueSent || !_request.ExpectsContinue);

    /// <summary>Decoded body bytes handed out so far.</summary>
    public long BytesRead => _received;

    /// <summary>Time spent waiting for this body, for the minimum-rate check.</summary>
    internal BodyReadTiming Timing { get; } = new();

    /// <summary>Returns the next slice of the body, or an empty sequence at its end.</summary>
    public ValueTask<ReadOnlySequence<byte>> ReadAsync(CancellationToken cancellationToken = default)
    {
        ReleasePending();
        if (IsCompleted)
        {
            return ValueTask.FromResult(ReadOnlySequence<byte>.Empty);
        }

        return _framing == Framing.ContentLength
            ? ReadContentLengthAsync(cancellationToken)
            : ReadChunkedAsync(cancellationToken);
    }

    /// <summary>Reads the whole body into <paramref name="destination"/>; 413 beyond <paramref name="maxLength"/>.</summary>
    public async ValueTask<long> ReadToEndAsync(IBufferWriter<byte> destination, long maxLength, CancellationToken cancellationToken = default)
    {
        long total = 0;
        while (true)
        {
            ReadOnlySequence<byte> piece = await ReadAsync(cancellationToken);
            if (piece.IsEmpty)
            {
                return total;
            }

            total += piece.Length;
            if (total > maxLength)
            {
                throw Reject.Create(RequestRejectionReason.RequestBodyTooLarge);
            }

            foreach (ReadOnlyMemory<byte> segment in piece)
            {
                destination.Write(segment.Span);
            }
        }
    }

    /// <summary>Reads and discards the rest of the body; false if the client did not deliver it.</summary>
    internal async ValueTask<bool> TryDrainAsync()
    {
        try
        {
            while (!(await ReadAsync()).IsEmpty)
            {
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
    }

    internal void Start(Framing framing, long contentLength)
    {
        _framing = framing;
        _remaining = framing == Framing.ContentLength ? contentLength : 0;
        _chunkState = ChunkState.Prefix;
    }

    internal void Reset()
    {
        Timing.Reset();
        _framing = Framing.None;
        _remaining = 0;
        _received = 0;
        _continueSent = false;
        _hasPending = false;
        ForgetTrailers();
    }

    /// <summary>Gives the last slice back to the pipe; the connection calls this when the request ends.</summary>
    internal void ReleasePending()
    {
        if (_hasPending)
        {
            _hasPending = false;
            _connection.Input.AdvanceTo(_pendingEnd);
        }
    }

    internal void ReturnBuffers()
    {
        ForgetTrailers();
        if (_trailerBuffer is not null)
        {
            PinnedBufferPool.Shared.Return(_trailerBuffer);
            _trailerBuffer = null;
        }
    }

    /// <summary>Zeroes the copied trailer fields, as the connection does with the head.</summary>
    private void ForgetTrailers()
    {
        _trailerBuffer.AsSpan(0, _trailerLength).Clear();
        _trailerLength = 0;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlySequence<byte>> ReadContentLengthAsync(CancellationToken cancellationToken)
    {
        ReadResult result = await ReadInputAsync(cancellationToken);
        ReadOnlySequence<byte> buffer = result.Buffer;
        if (buffer.IsEmpty && result.IsCompleted)
        {
            ThrowTruncated(buffer);
        }

        ReadOnlySequence<byte> piece = buffer.Length > _remaining ? buffer.Slice(0, _remaining) : buffer;
        _remaining -= piece.Length;
        _received += piece.Length;
        Hold(piece.End);
        return piece;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlySequence<byte>> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await ReadInputAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            if (TryDecode(ref reader, out ReadOnlySequence<byte> piece))
            {
                Hold(piece.IsEmpty ? reader.Position : piece.End);
                return piece;
            }

            if (result.IsCompleted)
            {
                ThrowTruncated(buffer);
            }

            // Framing incomplete: keep what is unparsed, wait for more.
            _connection.Input.AdvanceTo(reader.Position, buffer.End);
        }
    }

    /// <summary>
    /// Walks chunk framing from the reader's position. True with a data slice (or an empty slice at the
    /// end of the body); false when more bytes are needed.
    /// </summary>
    private bool TryDecode(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> piece)
    {
        piece = default;
        while (true)
        {
            switch (_chunkState)
            {
                case ChunkState.Prefix:
                    if (!TryReadChunkSize(ref reader))
                    {
                        return false;
                    }

                    break;

                case ChunkState.Data:
                    if (reader.End)
                    {
                        return false;
                    }

                    long take = Math.Min(_remaining, reader.Remaining);
                    piece = reader.UnreadSequence.Slice(0, take);
                    reader.Advance(take);
                    _remaining -= take;
                    _received += take;
                    if (_remaining == 0)
                    {
                        _chunkState = ChunkState.Suffix;
                    }

                    return true;

                case ChunkState.Suffix:
                    if (reader.Remaining < 2)
                    {
                        return false;
                    }

                    if (!reader.IsNext("\r\n"u8, advancePast: true))
                    {
                        Reject.Throw(RequestRejectionReason.BadChunkSuffix);
                    }

                    _chunkState = ChunkState.Prefix;
                    break;

                case ChunkState.Trailers:
                    if (!TryReadTrailers(ref reader))
                    {
                        return false;
                    }

                    piece = ReadOnlySequence<byte>.Empty;
                    return true;

                default:
                    piece = ReadOnlySequence<byte>.Empty;
                    return true;
            }
        }
    }

    private bool TryReadChunkSize(ref SequenceReader<byte> reader)
    {
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n', advancePastDelimiter: true))
        {
            if (reader.Remaining > _limits.MaxChunkLineSize)
            {
                Reject.Throw(RequestRejectionReason.ChunkLineTooLong);
            }

            return false;
        }

        if (line.Length > _limits.MaxChunkLineSize)
        {
            Reject.Throw(RequestRejectionReason.ChunkLineTooLong);
        }

        Span<byte> copy = stackalloc byte[(int)line.Length];
        line.CopyTo(copy);
        if (copy.IsEmpty || copy[^1] != (byte)'\r')
        {
            Reject.Throw(RequestRejectionReason.BadChunkSizeData);
        }

        // chunk-size [ chunk-ext ] CRLF; extensions are allowed and ignored. No whitespace around the
        // size, not even before ';' (as Kestrel): a parser that skips it and one that stops at it
        // would frame the same bytes differently.
        ReadOnlySpan<byte> sizeText = copy[..^1];
        int extension = sizeText.IndexOf((byte)';');
        if (extension >= 0)
        {
            if (sizeText[extension..].IndexOfAny(HttpCharacters.InvalidFieldValue) >= 0)
            {
                Reject.Throw(RequestRejectionReason.BadChunkSizeData);
            }

            sizeText = sizeText[..extension];
        }

        long size = ParseHex(sizeText);
        if (_received + size > _limits.MaxRequestBodySize)
        {
            Reject.Throw(RequestRejectionReason.RequestBodyTooLarge);
        }

        _remaining = size;
        _chunkState = size == 0 ? ChunkState.Trailers : ChunkState.Data;
        return true;
    }

    private static long ParseHex(ReadOnlySpan<byte> text)
    {
        long value = 0;
        if (text.IsEmpty || text.Length > 15 || !Utf8Parser.TryParse(text, out value, out int digits, 'x') || digits != text.Length)
        {
            Reject.Throw(RequestRejectionReason.BadChunkSizeData);
        }

        return value;
    }

    private bool TryReadTrailers(ref SequenceReader<byte> reader)
    {
        // No trailers: just the final CRLF.
        if (reader.Remaining < 2)
        {
            return false;
        }

        if (reader.IsNext("\r\n"u8, advancePast: true))
        {
            _chunkState = ChunkState.Complete;
            return true;
        }

        SequenceReader<byte> probe = reader;
        if (!probe.TryReadTo(out ReadOnlySequence<byte> block, "\r\n\r\n"u8, advancePastDelimiter: true))
        {
            if (reader.Remaining > _limits.MaxRequestHeadersTotalSize)
            {
                Reject.Throw(RequestRejectionReason.HeadersTooLarge);
            }

            return false;
        }

        long length = block.Length + 4;
        if (length > _limits.MaxRequestHeadersTotalSize)
        {
            Reject.Throw(RequestRejectionReason.HeadersTooLarge);
        }

        // Trailers outlive the receive buffers (they are read after the body), so they are copied.
        byte[] copy = _trailerBuffer is { } existing && existing.Length >= length
            ? existing
            : ReplaceTrailerBuffer((int)length);
        reader.UnreadSequence.Slice(0, length).CopyTo(copy);
        _trailerLength = (int)length;
        reader.Advance(length);

        HttpRequestHeaders trailers = _request.Trailers;
        trailers.Rebase(copy.AsMemory(0, (int)length));
        var handler = new TrailerFieldHandler(trailers);
        HttpParser.ParseFields(copy.AsSpan(0, (int)length), 0, ref handler, _limits.MaxRequestHeaderCount);
        _chunkState = ChunkState.Complete;
        return true;
    }

    private byte[] ReplaceTrailerBuffer(int length)
    {
        ReturnBuffers();
        _trailerBuffer = PinnedBufferPool.Shared.Rent(length);
        return _trailerBuffer;
    }

    private void Hold(SequencePosition end)
    {
        _pendingEnd = end;
        _hasPending = true;
    }

    private async ValueTask<ReadResult> ReadInputAsync(CancellationToken cancellationToken)
    {
        if (!_continueSent)
        {
            _continueSent = true;
            if (_request.ExpectsContinue)
            {
                await _connection.SendContinueAsync();
            }
        }

        while (true)
        {
            Timing.StartRead(Environment.TickCount64);
            _connection.SetTimeout(HttpConnection.TimeoutKind.RequestBody);
            ReadResult result;
            try
            {
                result = await _connection.Input.ReadAsync(cancellationToken);
            }
            catch (Exception ex) when (_connection.TimedOut == HttpConnection.TimeoutKind.RequestBody && ex is not BadHttpRequestException)
            {
                // The socket went away under a read the heartbeat had already given up on: report why, not how.
                throw Reject.Create(RequestRejectionReason.RequestBodyTimeout);
            }
            finally
            {
                _connection.ClearTimeout();
                Timing.EndRead(Environment.TickCount64);
            }

            if (_connection.TimedOut == HttpConnection.TimeoutKind.RequestBody)
            {
                // The heartbeat woke this read (too slow, or nothing for too long); even bytes that
                // arrived meanwhile cannot save the request, as the wake-up is already spent.
                _connection.Input.AdvanceTo(result.Buffer.Start);
                throw Reject.Create(RequestRejectionReason.RequestBodyTimeout);
            }

            if (!result.IsCanceled)
            {
                return result;
            }

            // A stale wake-up meant for the header phase: ignore it.
            _connection.Input.AdvanceTo(result.Buffer.Start);
        }
    }

    private void ThrowTruncated(in ReadOnlySequence<byte> buffer)
    {
        _connection.Input.AdvanceTo(buffer.End);
        throw Reject.Create(RequestRejectionReason.UnexpectedEndOfRequestContent);
    }
}
