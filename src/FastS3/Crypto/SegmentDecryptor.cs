using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using FastS3.Crypto.OpenSsl;

namespace FastS3.Crypto;

/// <summary>
/// Decrypts an object's segments, in any order and any subset (ranged reads), each authenticated
/// on its own: the caller names the index and whether it is the object's last segment (known from
/// the stored plaintext size), and a segment that was moved, duplicated, cut short, taken from
/// another object or altered fails. One <see cref="GcmCipher"/> per object, nothing allocated per segment.
/// </summary>
public sealed class SegmentDecryptor : IDisposable
{
    private readonly GcmCipher _aes;
    private readonly byte[] _header;

    private SegmentDecryptor(GcmCipher aes, byte[] header)
    {
        _aes = aes;
        _header = header;
    }

    /// <summary>False when <paramref name="header"/> is not a header this version reads.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> objectKey, ReadOnlySpan<byte> header, [NotNullWhen(true)] out SegmentDecryptor? decryptor)
    {
        if (!SegmentFormat.IsValidHeader(header))
        {
            decryptor = null;
            return false;
        }

        decryptor = new SegmentDecryptor(SegmentEncryptor.CreateCipher(objectKey), header.ToArray());
        return true;
    }

    /// <summary>
    /// Decrypts stored segment <paramref name="index"/> (ciphertext ‖ tag) into the first
    /// stored.Length − 16 bytes of <paramref name="plaintext"/>. False, with those bytes zeroed, if it
    /// does not authenticate or cannot be that segment (a non-final segment must be a full 64 KiB).
    /// </summary>
    public bool TryDecryptSegment(long index, bool final, ReadOnlySpan<byte> stored, Span<byte> plaintext)
        => TryDecryptSegment(_aes, _header, index, final, stored, plaintext);

    /// <summary>
    /// Decrypts consecutive stored segments starting at <paramref name="firstIndex"/>, as read from
    /// the stored stream (e.g. <see cref="SegmentRange.StoredOffset"/>, <see cref="SegmentRange.StoredLength"/>);
    /// the last of them is final iff <paramref name="endsWithFinal"/>. False if any segment fails;
    /// <paramref name="written"/> counts the plaintext bytes of the segments that passed.
    /// </summary>
    public bool TryDecryptSegments(long firstIndex, bool endsWithFinal, ReadOnlySpan<byte> stored, Span<byte> plaintext, out int written)
        => TryDecryptSegments(_aes, _header, firstIndex, endsWithFinal, stored, plaintext, out written);

    /// <summary>
    /// Decrypts a whole stored stream held in memory (header and every segment) into
    /// <paramref name="plaintext"/>, with no decryptor to keep: small objects. False when the header is
    /// not one this version reads or any segment fails; <paramref name="written"/> is the plaintext size.
    /// </summary>
    public static bool TryDecryptAll(ReadOnlySpan<byte> objectKey, ReadOnlySpan<byte> stored, Span<byte> plaintext, out int written)
    {
        written = 0;
        if (stored.Length < SegmentFormat.HeaderSize + SegmentFormat.TagSize || !SegmentFormat.IsValidHeader(stored[..SegmentFormat.HeaderSize]))
        {
            return false;
        }

        Span<byte> dataKey = stackalloc byte[ObjectKey.Size];
        ObjectKey.DeriveSubkey(objectKey, Subkey.Data, dataKey);
        using GcmCipher.Scope gcm = GcmCipher.OnThread(dataKey);
        CryptographicOperations.ZeroMemory(dataKey);
        return TryDecryptSegments(gcm.Cipher, stored[..SegmentFormat.HeaderSize], 0, endsWithFinal: true, stored[SegmentFormat.HeaderSize..], plaintext, out written);
    }

    private static bool TryDecryptSegments(GcmCipher aes, ReadOnlySpan<byte> header, long firstIndex, bool endsWithFinal, ReadOnlySpan<byte> stored, Span<byte> plaintext, out int written)
    {
        written = 0;
        long index = firstIndex;
        do
        {
            bool last = stored.Length <= SegmentFormat.StoredSegmentSize;
            int take = last ? stored.Length : SegmentFormat.StoredSegmentSize;
            if (!TryDecryptSegment(aes, header, index, last && endsWithFinal, stored[..take], plaintext[written..]))
            {
                return false;
            }

            written += take - SegmentFormat.TagSize;
            stored = stored[take..];
            index++;
        }
        while (!stored.IsEmpty);

        return true;
    }

    private static bool TryDecryptSegment(GcmCipher aes, ReadOnlySpan<byte> header, long index, bool final, ReadOnlySpan<byte> stored, Span<byte> plaintext)
    {
        int length = stored.Length - SegmentFormat.TagSize;
        if (index < 0 || index >= SegmentFormat.MaxSegmentCount || length < 0 || length > SegmentFormat.SegmentSize
            || (!final && length != SegmentFormat.SegmentSize) || (length == 0 && index > 0))
        {
            return false;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(plaintext.Length, length, nameof(plaintext));
        Span<byte> output = plaintext[..length];
        Span<byte> nonce = stackalloc byte[SegmentFormat.NonceSize];
        SegmentFormat.WriteNonce(header, index, final, nonce);
        return aes.TryDecrypt(nonce, stored[..length], stored[length..], output, header);
    }

    public void Dispose() => _aes.Dispose();
}
