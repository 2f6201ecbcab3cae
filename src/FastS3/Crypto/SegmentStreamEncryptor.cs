using System.Buffers;

namespace FastS3.Crypto;

/// <summary>
/// Turns plaintext arriving in pieces of any size into the stored stream (header, then segments)
/// written into output spans of any size, as <see cref="System.Text.Base64"/>-style calls that
/// report what they consumed and wrote. A full segment is held back until one more byte (or the end)
/// arrives, so the final flag always lands on the real last segment and an exact multiple of 64 KiB
/// ends in a full final segment. Whole segments go straight from the input to the output when both
/// have room; otherwise they pass through two per-object buffers, sized to the object when it is
/// known to be smaller than a segment (a 4 KiB PUT must not hold 128 KiB of pooled memory: hundreds
/// of them at once would outrun the pool and churn the large-object heap). Nothing is allocated per call.
/// </summary>
public sealed class SegmentStreamEncryptor : IDisposable
{
    private readonly SegmentEncryptor _encryptor;
    private byte[]? _plain;
    private byte[]? _pending;
    private int _plainLength;
    private int _pendingStart;
    private int _pendingEnd;

    /// <param name="objectKey">The object (or part) key.</param>
    /// <param name="expectedLength">The plaintext length if known (it only sizes the buffers), else −1.</param>
    public SegmentStreamEncryptor(ReadOnlySpan<byte> objectKey, long expectedLength = -1)
        : this(new SegmentEncryptor(objectKey), expectedLength)
    {
    }

    internal SegmentStreamEncryptor(SegmentEncryptor encryptor, long expectedLength = -1)
    {
        _encryptor = encryptor;
        int segment = expectedLength is >= 0 and < SegmentFormat.SegmentSize ? (int)expectedLength : SegmentFormat.SegmentSize;
        _plain = ArrayPool<byte>.Shared.Rent(segment);
        _pending = ArrayPool<byte>.Shared.Rent(Math.Max(SegmentFormat.HeaderSize, segment + SegmentFormat.TagSize));

        // The header goes out first, through the same pending buffer as a segment that did not fit.
        _pendingEnd = encryptor.WriteHeader(_pending);
    }

    public ReadOnlySpan<byte> Header => _encryptor.Header;

    /// <summary>Plaintext bytes accepted so far.</summary>
    public long PlaintextLength { get; private set; }

    /// <summary>Stored bytes written so far.</summary>
    public long StoredLength { get; private set; }

    /// <summary>
    /// Accepts plaintext from <paramref name="source"/> and writes stored bytes to <paramref name="destination"/>.
    /// <list type="bullet">
    /// <item><see cref="OperationStatus.NeedMoreData"/>: all of <paramref name="source"/> consumed; call again with more (or with <paramref name="isFinalBlock"/>).</item>
    /// <item><see cref="OperationStatus.DestinationTooSmall"/>: call again with fresh output space and the rest of the source.</item>
    /// <item><see cref="OperationStatus.Done"/>: <paramref name="isFinalBlock"/> was set and everything, the final segment included, is written.</item>
    /// </list>
    /// </summary>
    public OperationStatus Encrypt(ReadOnlySpan<byte> source, Span<byte> destination, bool isFinalBlock, out int consumed, out int written)
    {
        ObjectDisposedException.ThrowIf(_plain is null || _pending is null, this);
        consumed = 0;
        written = 0;
        while (true)
        {
            if (_pendingStart < _pendingEnd)
            {
                int copy = Math.Min(_pendingEnd - _pendingStart, destination.Length - written);
                _pending.AsSpan(_pendingStart, copy).CopyTo(destination[written..]);
                _pendingStart += copy;
                written += copy;
                if (_pendingStart < _pendingEnd)
                {
                    StoredLength += written;
                    return OperationStatus.DestinationTooSmall;
                }
            }

            if (_encryptor.IsFinished)
            {
                if (consumed < source.Length)
                {
                    throw new InvalidOperationException("Plaintext after the final block.");
                }

                StoredLength += written;
                return OperationStatus.Done;
            }

            ReadOnlySpan<byte> rest = source[consumed..];
            if (_plainLength == SegmentFormat.SegmentSize && !rest.IsEmpty)
            {
                // One more byte exists, so the held-back segment is not the last.
                written += Emit(_plain.AsSpan(0, _plainLength), final: false, destination[written..]);
                _plainLength = 0;
            }
            else if (_plainLength == 0 && rest.Length > SegmentFormat.SegmentSize)
            {
                written += Emit(rest[..SegmentFormat.SegmentSize], final: false, destination[written..]);
                consumed += SegmentFormat.SegmentSize;
                PlaintextLength += SegmentFormat.SegmentSize;
            }
            else if (!rest.IsEmpty)
            {
                int take = Math.Min(SegmentFormat.SegmentSize - _plainLength, rest.Length);
                Reserve(ref _plain, _plainLength + take, SegmentFormat.SegmentSize);
                rest[..take].CopyTo(_plain.AsSpan(_plainLength));
                _plainLength += take;
                consumed += take;
                PlaintextLength += take;
            }
            else if (isFinalBlock)
            {
                written += Emit(_plain.AsSpan(0, _plainLength), final: true, destination[written..]);
                _plainLength = 0;
            }
            else
            {
                StoredLength += written;
                return OperationStatus.NeedMoreData;
            }
        }
    }

    public void Dispose()
    {
        if (_plain is not null)
        {
            ArrayPool<byte>.Shared.Return(_plain, clearArray: true);
            _plain = null;
        }

        if (_pending is not null)
        {
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = null;
        }

        _encryptor.Dispose();
    }

    /// <summary>Encrypts into the output when the whole segment fits, else into the pending buffer (drained by the loop).</summary>
    private int Emit(ReadOnlySpan<byte> plaintext, bool final, Span<byte> destination)
    {
        int size = plaintext.Length + SegmentFormat.TagSize;
        if (destination.Length >= size)
        {
            return _encryptor.EncryptSegment(plaintext, final, destination);
        }

        _pendingStart = 0;
        Reserve(ref _pending!, size, SegmentFormat.StoredSegmentSize);
        _pendingEnd = _encryptor.EncryptSegment(plaintext, final, _pending);
        return 0;
    }

    /// <summary>Swaps <paramref name="buffer"/> for a <paramref name="full"/>-size one when the object turned out larger than expected.</summary>
    private static void Reserve(ref byte[] buffer, int needed, int full)
    {
        if (buffer.Length >= needed)
        {
            return;
        }

        byte[] larger = ArrayPool<byte>.Shared.Rent(full);
        buffer.CopyTo(larger, 0);
        ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        buffer = larger;
    }
}
