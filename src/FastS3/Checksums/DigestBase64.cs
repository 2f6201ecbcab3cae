using System.Buffers;
using System.Buffers.Text;

namespace FastS3.Checksums;

/// <summary>Base64 of raw digests, as S3 carries checksums and Content-MD5, straight to and from UTF-8 bytes.</summary>
public static class DigestBase64
{
    /// <summary>The longest encoded digest S3 uses (SHA-256).</summary>
    public const int MaxLength = 44;

    public static int EncodedLength(int digestLength) => (digestLength + 2) / 3 * 4;

    /// <summary>Writes the padded base64 of <paramref name="digest"/>; returns the bytes written.</summary>
    public static int Encode(ReadOnlySpan<byte> digest, Span<byte> destination)
    {
        if (Base64.EncodeToUtf8(digest, destination, out _, out int written) != OperationStatus.Done)
        {
            throw new ArgumentException("The destination is too small for the encoded digest.", nameof(destination));
        }

        return written;
    }

    /// <summary>
    /// Decodes padded base64 that must encode exactly <paramref name="digest"/>.Length bytes. Strict
    /// on length, so a truncated or over-long value is rejected rather than half-compared.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> base64, Span<byte> digest)
        => base64.Length == EncodedLength(digest.Length)
            && Base64.DecodeFromUtf8(base64, digest, out _, out int written) == OperationStatus.Done
            && written == digest.Length;
}
