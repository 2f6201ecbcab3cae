using System.Text;

namespace FastS3.Checksums;

/// <summary>The S3 additional-checksum algorithms FastS3 computes and verifies.</summary>
public enum ChecksumAlgorithm : byte
{
    None,
    Crc32,
    Crc32C,
    Crc64Nvme,
    Sha1,
    Sha256,
}

/// <summary>How S3 spells each algorithm on the wire, and the size of its digest.</summary>
public static class ChecksumAlgorithmExtensions
{
    /// <summary>The longest digest (SHA-256): big enough for any algorithm's raw checksum.</summary>
    public const int MaxDigestLength = 32;

    extension(ChecksumAlgorithm algorithm)
    {
        /// <summary>The request/response header (and aws-chunked trailer) carrying the base64 digest.</summary>
        public ReadOnlySpan<byte> HeaderName => algorithm switch
        {
            ChecksumAlgorithm.Crc32 => "x-amz-checksum-crc32"u8,
            ChecksumAlgorithm.Crc32C => "x-amz-checksum-crc32c"u8,
            ChecksumAlgorithm.Crc64Nvme => "x-amz-checksum-crc64nvme"u8,
            ChecksumAlgorithm.Sha1 => "x-amz-checksum-sha1"u8,
            ChecksumAlgorithm.Sha256 => "x-amz-checksum-sha256"u8,
            _ => default,
        };

        /// <summary>The name in x-amz-sdk-checksum-algorithm, x-amz-checksum-algorithm and error messages.</summary>
        public ReadOnlySpan<byte> Name => algorithm switch
        {
            ChecksumAlgorithm.Crc32 => "CRC32"u8,
            ChecksumAlgorithm.Crc32C => "CRC32C"u8,
            ChecksumAlgorithm.Crc64Nvme => "CRC64NVME"u8,
            ChecksumAlgorithm.Sha1 => "SHA1"u8,
            ChecksumAlgorithm.Sha256 => "SHA256"u8,
            _ => default,
        };

        /// <summary>The element of a part or object checksum in ListParts and CompleteMultipartUpload XML.</summary>
        public ReadOnlySpan<byte> ElementName => algorithm switch
        {
            ChecksumAlgorithm.Crc32 => "ChecksumCRC32"u8,
            ChecksumAlgorithm.Crc32C => "ChecksumCRC32C"u8,
            ChecksumAlgorithm.Crc64Nvme => "ChecksumCRC64NVME"u8,
            ChecksumAlgorithm.Sha1 => "ChecksumSHA1"u8,
            ChecksumAlgorithm.Sha256 => "ChecksumSHA256"u8,
            _ => default,
        };

        public int DigestLength => algorithm switch
        {
            ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32C => 4,
            ChecksumAlgorithm.Crc64Nvme => 8,
            ChecksumAlgorithm.Sha1 => 20,
            ChecksumAlgorithm.Sha256 => 32,
            _ => 0,
        };

        /// <summary>Length of the padded base64 form: 8, 8, 12, 28 or 44 bytes.</summary>
        public int Base64Length => (algorithm.DigestLength + 2) / 3 * 4;

        /// <summary>CRCs can be combined into a FULL_OBJECT multipart checksum; SHA digests cannot.</summary>
        public bool IsCrc => algorithm is ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32C or ChecksumAlgorithm.Crc64Nvme;
    }

    /// <summary>Parses CRC32, CRC32C, CRC64NVME, SHA1 or SHA256, ASCII case-insensitively.</summary>
    public static bool TryParseName(ReadOnlySpan<byte> name, out ChecksumAlgorithm algorithm)
    {
        for (algorithm = ChecksumAlgorithm.Crc32; algorithm <= ChecksumAlgorithm.Sha256; algorithm++)
        {
            if (Ascii.EqualsIgnoreCase(name, algorithm.Name))
            {
                return true;
            }
        }

        algorithm = ChecksumAlgorithm.None;
        return false;
    }

    /// <summary>Maps x-amz-checksum-crc32 … x-amz-checksum-sha256 (any case) to its algorithm.</summary>
    public static bool TryParseHeaderName(ReadOnlySpan<byte> headerName, out ChecksumAlgorithm algorithm)
    {
        for (algorithm = ChecksumAlgorithm.Crc32; algorithm <= ChecksumAlgorithm.Sha256; algorithm++)
        {
            if (Ascii.EqualsIgnoreCase(headerName, algorithm.HeaderName))
            {
                return true;
            }
        }

        algorithm = ChecksumAlgorithm.None;
        return false;
    }
}
