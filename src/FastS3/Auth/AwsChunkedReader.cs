using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using FastS3.Basics;
using FastS3.Http;

namespace FastS3.Auth;

/// <summary>
/// Decodes an aws-chunked body (<c>hex[;chunk-signature=sig]\r\n data \r\n ... 0\r\n trailers \r\n</c>)
/// on top of the HTTP body, which has already undone any HTTP chunking; the two framings are
/// independent. Data comes out as slices of the receive buffers. Only framing lines that straddle
/// two receive buffers are copied, into a small line buffer. For signed streams every chunk
/// signature is chained from the request's seed signature and checked in constant time; a signed
/// trailer is checked the same way. Anything short, malformed, or past the end is an S3 error.
/// One instance per connection, reused.
/// </summary>
public sealed class AwsChunkedReader : IDisposable
{
    public const int MaxLineLength = 4096;
    public const long MaxChunkSize = 16L * 1024 * 1024;

    private static ReadOnlySpan<byte> EmptySha256Hex => "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"u8;

    private readonly byte[] _line = new byte[MaxLineLength];
    private readonly byte[] _trailerText = new byte[MaxLineLength];
    private readonly byte[] _providedSignature = new byte[64];
    private readonly byte[] _declaredTrailer = new byte[64];
    private int _declaredTrailerLength;
    private readonly byte[] _previousSignature = new byte[64];
    private readonly IncrementalHash _chunkHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    private HttpRequestBody? _body;
    private SignatureContext? _signature;
    private ReadOnlySequence<byte> _piece;
    private SequencePosition _position;
    private State _state;
    private bool _signedChunks;
    private bool _signedTrailer;
    private bool _allowsTrailer;
    private bool _hasTrailerSignature;
    private int _lineLength;
    private int _crlfMatched;
    private int _trailerTextLength;
    private int _trailerNameLength;
    private long _chunkRemaining;
    private long _decoded;
    private long _expectedLength;

    private enum State : byte
    {
        Header,
        Data,
        DataEnd,
        Trailer,
        Done,
    }

    /// <summary>Decoded bytes handed out so far.</summary>
    public long DecodedLength => _decoded;

    /// <summary>
    /// Prepares to decode <paramref name="body"/>; <paramref name="expectedLength"/> is
    /// X-Amz-Decoded-Content-Length (the data must come to exactly that) or -1,
    /// <paramref name="declaredTrailer"/> the field named by x-amz-trailer (empty: none). Any other
    /// trailer is refused, as S3 does.
    /// </summary>
    public void Start(HttpRequestBody body, SignatureContext signature, long expectedLength, ReadOnlySpan<byte> declaredTrailer)
    {
        if (declaredTrailer.Length > _declaredTrailer.Length)
        {
            throw new S3Exception(S3Errors.MalformedTrailerError);
        }

        declaredTrailer.CopyTo(_declaredTrailer);
        _declaredTrailerLength = declaredTrailer.Length;
        _body = body;
        _signature = signature;
        _signedChunks = signature.Payload is PayloadMode.StreamingSigned or PayloadMode.StreamingSignedTrailer;
        _signedTrailer = signature.Payload == PayloadMode.StreamingSignedTrailer;
        _allowsTrailer = signature.Payload is PayloadMode.StreamingSignedTrailer or PayloadMode.StreamingUnsignedTrailer;
        _hasTrailerSignature = false;
        if (_state != State.Done)
        {
            // The previous stream stopped mid-chunk (an error, a short body): its data is still in the hash.
            Span<byte> discarded = stackalloc byte[32];
            _chunkHash.GetHashAndReset(discarded);
        }

        signature.SeedSignature.CopyTo(_previousSignature, 0);
        _piece = ReadOnlySequence<byte>.Empty;
        _position = _piece.Start;
        _state = State.Header;
        _lineLength = 0;
        _crlfMatched = 0;
        _trailerTextLength = 0;
        _trailerNameLength = 0;
        _chunkRemaining = 0;
        _decoded = 0;
        _expectedLength = expectedLength;
    }

    /// <summary>A trailer field (e.g. x-amz-checksum-crc32) once the body has been read to its end.</summary>
    public bool TryGetTrailer(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        if (_trailerNameLength > 0 && System.Text.Ascii.EqualsIgnoreCase(_trailerText.AsSpan(0, _trailerNameLength), name))
        {
            value = _trailerText.AsSpan(_trailerNameLength + 1, _trailerTextLength - _trailerNameLength - 2);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The next decoded slice, valid until the next call; empty once the stream and its trailers are complete.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlySequence<byte>> ReadAsync(CancellationToken cancellationToken = default)
    {
        HttpRequestBody body = _body ?? throw new InvalidOperationException("Start was not called.");
        while (_state != State.Done)
        {
            if (_piece.Slice(_position).IsEmpty)
            {
                _piece = await ReadBodyAsync(body, cancellationToken);
                _position = _piece.Start;
                if (_piece.IsEmpty)
                {
                    throw new S3Exception(S3Errors.IncompleteBody);
                }
            }

            var reader = new SequenceReader<byte>(_piece.Slice(_position));
            bool produced = Step(ref reader, out ReadOnlySequence<byte> data);
            _position = reader.Position;
            if (produced)
            {
                return data;
            }
        }

        // Nothing may follow the final trailer, in this piece or in the rest of the HTTP body.
        if (!_piece.Slice(_position).IsEmpty || !(await ReadBodyAsync(body, cancellationToken)).IsEmpty)
        {
            throw new S3Exception(S3Errors.MalformedChunkedEncoding);
        }

        if (_expectedLength >= 0 && _decoded < _expectedLength)
        {
            throw new S3Exception(S3Errors.IncompleteBody);
        }

        return ReadOnlySequence<byte>.Empty;
    }

    public void Dispose() => _chunkHash.Dispose();

    private static async ValueTask<ReadOnlySequence<byte>> ReadBodyAsync(HttpRequestBody body, CancellationToken cancellationToken)
    {
        try
        {
            return await body.ReadAsync(cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.Reason == RequestRejectionReason.UnexpectedEndOfRequestContent)
        {
            throw new S3Exception(S3Errors.IncompleteBody);
        }
    }

    /// <summary>Advances through framing; true with a data slice, false when the reader ran dry or the stream ended.</summary>
    private bool Step(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> data)
    {
        data = default;
        while (true)
        {
            switch (_state)
            {
                case State.Header:
                    if (!TryReadLine(ref reader, out ReadOnlySpan<byte> header))
                    {
                        return false;
                    }

                    StartChunk(header);
                    break;

                case State.Data:
                    if (reader.End)
                    {
                        return false;
                    }

                    long take = Math.Min(_chunkRemaining, reader.Remaining);
                    data = reader.UnreadSequence.Slice(0, take);
                    reader.Advance(take);
                    if (_signedChunks)
                    {
                        foreach (ReadOnlyMemory<byte> segment in data)
                        {
                            _chunkHash.AppendData(segment.Span);
                        }
                    }

                    _decoded += take;
                    _chunkRemaining -= take;
                    if (_chunkRemaining == 0)
                    {
                        _state = State.DataEnd;
                    }

                    return true;

                case State.DataEnd:
                    while (_crlfMatched < 2)
                    {
                        if (!reader.TryRead(out byte b))
                        {
                            return false;
                        }

                        if (b != "\r\n"u8[_crlfMatched])
                        {
                            throw new S3Exception(S3Errors.MalformedChunkedEncoding);
                        }

                        _crlfMatched++;
                    }

                    _crlfMatched = 0;
                    VerifyChunkSignature();
                    _state = State.Header;
                    break;

                case State.Trailer:
                    if (!TryReadLine(ref reader, out ReadOnlySpan<byte> line))
                    {
                        return false;
                    }

                    if (line.IsEmpty)
                    {
                        FinishTrailers();
                        return false;
                    }

                    AddTrailer(line);
                    break;

                default:
                    return false;
            }
        }
    }

    private void StartChunk(ReadOnlySpan<byte> header)
    {
        int semicolon = header.IndexOf((byte)';');
        ReadOnlySpan<byte> sizeText = semicolon < 0 ? header : header[..semicolon];
        if (sizeText.IsEmpty || sizeText.Length > 8 || !Utf8Parser.TryParse(sizeText, out long size, out int digits, 'x') || digits != sizeText.Length || size > MaxChunkSize)
        {
            throw new S3Exception(S3Errors.MalformedChunkedEncoding);
        }

        // Refused on its announcement, before its data: nothing past the declared length is stored.
        if (_expectedLength >= 0 && size > _expectedLength - _decoded)
        {
            throw new S3Exception(S3Errors.DecodedLengthExceeded);
        }

        if (_signedChunks)
        {
            ReadOnlySpan<byte> extension = semicolon < 0 ? default : header[(semicolon + 1)..];
            if (!extension.StartsWith("chunk-signature="u8) || extension.Length != 16 + 64)
            {
                throw new S3Exception(S3Errors.MalformedChunkedEncoding);
            }

            extension[16..].CopyTo(_providedSignature);
        }

        _chunkRemaining = size;
        if (size > 0)
        {
            _state = State.Data;
            return;
        }

        // The final, empty chunk is signed too (over no data).
        VerifyChunkSignature();
        _state = State.Trailer;
    }

    private void VerifyChunkSignature()
    {
        if (!_signedChunks)
        {
            return;
        }

        Span<byte> dataHash = stackalloc byte[32];
        _chunkHash.GetHashAndReset(dataHash);
        Span<byte> dataHashHex = stackalloc byte[64];
        Hex.Encode(dataHash, dataHashHex);
        if (!ChainSignature("AWS4-HMAC-SHA256-PAYLOAD"u8, EmptySha256Hex, dataHashHex))
        {
            throw new S3Exception(S3Errors.ChunkSignatureDoesNotMatch);
        }
    }

    /// <summary>
    /// Signs the next link of the chain (previous signature, then <paramref name="line2"/> and
    /// <paramref name="line3"/>), compares it with the provided signature in constant time, and makes
    /// it the previous signature.
    /// </summary>
    private bool ChainSignature(ReadOnlySpan<byte> algorithm, ReadOnlySpan<byte> line2, ReadOnlySpan<byte> line3)
    {
        SignatureContext context = _signature!;
        Span<byte> previous = stackalloc byte[64];
        _previousSignature.CopyTo(previous);
        StringToSign.Sign(context.SigningKey, algorithm, context.AmzDate, context.Scope, previous, line2, line3, _previousSignature);
        return CryptographicOperations.FixedTimeEquals(_previousSignature, _providedSignature);
    }

    private void AddTrailer(ReadOnlySpan<byte> line)
    {
        // STREAMING-AWS4-HMAC-SHA256-PAYLOAD has no trailer: nothing would sign one.
        int colon = line.IndexOf((byte)':');
        if (!_allowsTrailer || colon <= 0)
        {
            throw new S3Exception(S3Errors.MalformedTrailerError);
        }

        ReadOnlySpan<byte> name = line[..colon];
        ReadOnlySpan<byte> value = line[(colon + 1)..].Trim((byte)' ');
        if (name.SequenceEqual("x-amz-trailer-signature"u8))
        {
            if (!_signedTrailer || _hasTrailerSignature || value.Length != 64)
            {
                throw new S3Exception(S3Errors.MalformedTrailerError);
            }

            value.CopyTo(_providedSignature);
            _hasTrailerSignature = true;
            return;
        }

        // Only the declared field, and once: of two, this server and a proxy in front of it could each take a different one.
        if (!System.Text.Ascii.EqualsIgnoreCase(name, _declaredTrailer.AsSpan(0, _declaredTrailerLength)) || _trailerNameLength > 0 || _hasTrailerSignature)
        {
            throw new S3Exception(S3Errors.MalformedTrailerError);
        }

        // Kept as "name:value\n", the form the trailer signature covers; no longer than the line (CR included) it came from.
        int needed = name.Length + 1 + value.Length + 1;
        Span<byte> text = _trailerText.AsSpan(0, needed);
        name.CopyTo(text);
        text[name.Length] = (byte)':';
        value.CopyTo(text[(name.Length + 1)..]);
        text[^1] = (byte)'\n';
        _trailerNameLength = name.Length;
        _trailerTextLength = needed;
    }

    private void FinishTrailers()
    {
        if (_signedTrailer)
        {
            if (!_hasTrailerSignature)
            {
                throw new S3Exception(S3Errors.MalformedTrailerError);
            }

            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(_trailerText.AsSpan(0, _trailerTextLength), digest);
            Span<byte> digestHex = stackalloc byte[64];
            Hex.Encode(digest, digestHex);
            if (!ChainSignature("AWS4-HMAC-SHA256-TRAILER"u8, digestHex, default))
            {
                throw new S3Exception(S3Errors.ChunkSignatureDoesNotMatch);
            }
        }

        _state = State.Done;
    }

    /// <summary>
    /// Reads one CRLF-terminated line (without the CRLF). A line that straddles receive buffers is
    /// gathered in the line buffer; false means the reader ran out first.
    /// </summary>
    private bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySpan<byte> line)
    {
        line = default;
        bool complete = reader.TryReadTo(out ReadOnlySequence<byte> found, (byte)'\n', advancePastDelimiter: true);
        if (!complete)
        {
            found = reader.UnreadSequence;
            reader.AdvanceToEnd();
        }

        // One limit, whether the line lies in one receive buffer or straddles several.
        if (_lineLength + found.Length > MaxLineLength)
        {
            throw new S3Exception(S3Errors.MalformedChunkedEncoding);
        }

        if (!complete)
        {
            Gather(found);
            return false;
        }

        if (_lineLength == 0 && found.IsSingleSegment)
        {
            line = found.FirstSpan;
        }
        else
        {
            Gather(found);
            line = _line.AsSpan(0, _lineLength);
            _lineLength = 0;
        }

        if (line.IsEmpty || line[^1] != (byte)'\r')
        {
            throw new S3Exception(S3Errors.MalformedChunkedEncoding);
        }

        line = line[..^1];
        return true;
    }

    private void Gather(in ReadOnlySequence<byte> bytes)
    {
        bytes.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += (int)bytes.Length;
    }
}
