using System.Buffers.Binary;
using System.Buffers.Text;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace FastS3.Checksums;

/// <summary>
/// The two ways S3 checksums a multipart object from its parts' checksums. COMPOSITE hashes the
/// concatenated raw part checksums and is rendered "base64-N"; it exists for every algorithm but
/// CRC64NVME. FULL_OBJECT combines part CRCs into the CRC of the whole object, as if it had been
/// uploaded in one piece; it exists for the CRCs only.
/// </summary>
public static class MultipartChecksum
{
    /// <summary>Longest "base64-N": a SHA-256 and 10000 parts.</summary>
    public const int MaxCompositeLength = DigestBase64.MaxLength + 1 + 5;

    public static bool SupportsComposite(ChecksumAlgorithm algorithm)
        => algorithm is ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32C or ChecksumAlgorithm.Sha1 or ChecksumAlgorithm.Sha256;

    public static bool SupportsFullObject(ChecksumAlgorithm algorithm) => algorithm.IsCrc;

    /// <summary>
    /// Writes the COMPOSITE digest: <paramref name="algorithm"/> over <paramref name="partChecksums"/>,
    /// the raw part checksums concatenated in part order.
    /// </summary>
    public static void ComputeComposite(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> partChecksums, Span<byte> digest)
    {
        switch (algorithm)
        {
            case ChecksumAlgorithm.Crc32:
                BinaryPrimitives.WriteUInt32BigEndian(digest, Crc32.HashToUInt32(Crc32ParameterSet.Crc32, partChecksums));
                break;
            case ChecksumAlgorithm.Crc32C:
                BinaryPrimitives.WriteUInt32BigEndian(digest, Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, partChecksums));
                break;
            case ChecksumAlgorithm.Sha1:
                SHA1.HashData(partChecksums, digest);
                break;
            case ChecksumAlgorithm.Sha256:
                SHA256.HashData(partChecksums, digest);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), "COMPOSITE checksums exist for CRC32, CRC32C, SHA1 and SHA256.");
        }
    }

    /// <summary>Writes "base64-N" (the form S3 returns for a COMPOSITE checksum); returns the bytes written.</summary>
    public static int FormatComposite(ReadOnlySpan<byte> digest, int partCount, Span<byte> destination)
    {
        int length = DigestBase64.Encode(digest, destination);
        destination[length++] = (byte)'-';
        if (!Utf8Formatter.TryFormat(partCount, destination[length..], out int written))
        {
            throw new ArgumentException("The destination is too small.", nameof(destination));
        }

        return length + written;
    }

    /// <summary>
    /// Appends one part to a FULL_OBJECT checksum: <paramref name="objectChecksum"/> (big-endian,
    /// all zeros before the first part, that being the CRC of no data) becomes the CRC of the
    /// object so far followed by the part of <paramref name="partLength"/> bytes whose CRC is
    /// <paramref name="partChecksum"/>.
    /// </summary>
    public static void CombineFullObject(ChecksumAlgorithm algorithm, Span<byte> objectChecksum, ReadOnlySpan<byte> partChecksum, long partLength)
    {
        switch (algorithm)
        {
            case ChecksumAlgorithm.Crc32:
                BinaryPrimitives.WriteUInt32BigEndian(objectChecksum, CrcCombine.Crc32(
                    BinaryPrimitives.ReadUInt32BigEndian(objectChecksum), BinaryPrimitives.ReadUInt32BigEndian(partChecksum), partLength));
                break;
            case ChecksumAlgorithm.Crc32C:
                BinaryPrimitives.WriteUInt32BigEndian(objectChecksum, CrcCombine.Crc32C(
                    BinaryPrimitives.ReadUInt32BigEndian(objectChecksum), BinaryPrimitives.ReadUInt32BigEndian(partChecksum), partLength));
                break;
            case ChecksumAlgorithm.Crc64Nvme:
                BinaryPrimitives.WriteUInt64BigEndian(objectChecksum, CrcCombine.Crc64Nvme(
                    BinaryPrimitives.ReadUInt64BigEndian(objectChecksum), BinaryPrimitives.ReadUInt64BigEndian(partChecksum), partLength));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), "FULL_OBJECT checksums exist for CRC32, CRC32C and CRC64NVME.");
        }
    }
}
