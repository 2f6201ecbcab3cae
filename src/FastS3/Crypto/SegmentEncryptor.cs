using System.Security.Cryptography;
using FastS3.Crypto.OpenSsl;

namespace FastS3.Crypto;

/// <summary>
/// Encrypts one object's segments in order, straight into caller memory: one <see cref="GcmCipher"/>
/// for the object, nothing allocated per segment. The segment counter lives here, so no (nonce, key)
/// pair can repeat: the data key is fresh per object and each index is used once.
/// </summary>
public sealed class SegmentEncryptor : IDisposable
{
    private readonly GcmCipher _aes;
    private readonly byte[] _header = new byte[SegmentFormat.HeaderSize];
    private long _next;
    private bool _finished;

    /// <summary>Keys the encryptor from the object key (the data subkey is derived and zeroed here) and draws a random nonce prefix.</summary>
    public SegmentEncryptor(ReadOnlySpan<byte> objectKey)
    {
        Span<byte> prefix = stackalloc byte[SegmentFormat.NoncePrefixSize];
        RandomNumberGenerator.Fill(prefix);
        SegmentFormat.WriteHeader(prefix, _header);
        _aes = CreateCipher(objectKey);
    }

    /// <summary>With a given nonce prefix: test vectors only.</summary>
    internal SegmentEncryptor(ReadOnlySpan<byte> objectKey, ReadOnlySpan<byte> noncePrefix)
    {
        ObjectKey.CheckLength(noncePrefix.Length, SegmentFormat.NoncePrefixSize, nameof(noncePrefix));
        SegmentFormat.WriteHeader(noncePrefix, _header);
        _aes = CreateCipher(objectKey);
    }

    /// <summary>The stored stream's first <see cref="SegmentFormat.HeaderSize"/> bytes.</summary>
    public ReadOnlySpan<byte> Header => _header;

    /// <summary>Segments encrypted so far (the next segment's index).</summary>
    public long SegmentIndex => _next;

    /// <summary>Whether the final segment has been encrypted.</summary>
    public bool IsFinished => _finished;

    public int WriteHeader(Span<byte> destination)
    {
        _header.CopyTo(destination);
        return SegmentFormat.HeaderSize;
    }

    /// <summary>
    /// Encrypts the next segment into <paramref name="destination"/> as ciphertext ‖ tag and returns
    /// its length (plaintext + 16). A non-final segment must be exactly 64 KiB; the final one 0..64 KiB
    /// (0 only as the sole segment of an empty object). The destination must not overlap the plaintext.
    /// </summary>
    public int EncryptSegment(ReadOnlySpan<byte> plaintext, bool final, Span<byte> destination)
    {
        if (_finished)
        {
            throw new InvalidOperationException("The final segment has already been written.");
        }

        if (final ? plaintext.Length > SegmentFormat.SegmentSize || (plaintext.IsEmpty && _next > 0) : plaintext.Length != SegmentFormat.SegmentSize)
        {
            throw new ArgumentException("A segment holds 64 KiB; only the final one may be shorter, and only an empty object's may be empty.", nameof(plaintext));
        }

        int stored = plaintext.Length + SegmentFormat.TagSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, stored, nameof(destination));
        if (_next >= SegmentFormat.MaxSegmentCount || (!final && _next == SegmentFormat.MaxSegmentCount - 1))
        {
            throw new InvalidOperationException("An object is limited to 2^31 segments.");
        }

        Span<byte> nonce = stackalloc byte[SegmentFormat.NonceSize];
        SegmentFormat.WriteNonce(_header, _next, final, nonce);
        _aes.Encrypt(nonce, plaintext, destination[..plaintext.Length], destination.Slice(plaintext.Length, SegmentFormat.TagSize), _header);
        _next++;
        _finished = final;
        return stored;
    }

    public void Dispose() => _aes.Dispose();

    internal static GcmCipher CreateCipher(ReadOnlySpan<byte> objectKey)
    {
        Span<byte> dataKey = stackalloc byte[ObjectKey.Size];
        try
        {
            ObjectKey.DeriveSubkey(objectKey, Subkey.Data, dataKey);
            return new GcmCipher(dataKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}
