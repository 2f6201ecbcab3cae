using System.Buffers;

namespace FastS3.Crypto;

/// <summary>
/// Turns plaintext arriving in pieces of any size into the stored stream (header, then segments)
/// written into output spans of any size, as <see cref="System.Text.Base64"/>-style calls that
/// report what they consumed and wrote. A full segment is held back until one more byte (or the end)
/// arrives, so the final flag always lands on the real last segment and an exact multiple of 64 KiB
/// ends in a full final segment. Whole segments go straight from the input to the output when both
/// have room; otherwise they pass through two per-object buffers. Nothing is allocated per call.
/// </summary>
public sealed class SegmentStreamEncryptor : IDisposable
{
    private readonly SegmentEncryptor _encryptor;
    private byte[]? _plain = ArrayPool<byte>.Shared.Rent(SegmentFormat.SegmentSize);
    private byte[]? _pending = ArrayPool<byte>.Shared.Rent(SegmentFormat.StoredSegmentSize);
    private int _plainLength;
    private int _pendingStart;
    private int _pendingEnd;

    public SegmentStreamEncryptor(ReadOnlySpan<byte> objectKey)
        : this(new SegmentEncryptor(objectKey))
    {
    }

    internal SegmentStreamEncryptor(SegmentEncryptor encryptor)
    {
        _encryptor = encryptor;

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
        _pendingEnd = _encryptor.EncryptSegment(plaintext, final, _pending);
        return 0;
    }
}
