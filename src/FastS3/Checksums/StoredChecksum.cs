using System.Buffers.Binary;

namespace FastS3.Checksums;

/// <summary>
/// The checksum field of an object, part or upload record, and how S3 shows it:
/// <code>u8 algorithm | u8 type | u16 LE part count (COMPOSITE) | raw digest (none in an upload's declaration)</code>
/// </summary>
public static class StoredChecksum
{
    public const int HeaderSize = 4;

    public const int MaxLength = HeaderSize + ChecksumAlgorithmExtensions.MaxDigestLength;

    /// <summary>Writes the field; returns its length.</summary>
    public static int Write(ChecksumAlgorithm algorithm, ChecksumType type, int partCount, ReadOnlySpan<byte> digest, Span<byte> destination)
    {
        destination[0] = (byte)algorithm;
        destination[1] = (byte)type;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], (ushort)partCount);
        digest.CopyTo(destination[HeaderSize..]);
        return HeaderSize + digest.Length;
    }

    public static ChecksumAlgorithm AlgorithmOf(ReadOnlySpan<byte> field) => field.Length >= 2 ? (ChecksumAlgorithm)field[0] : ChecksumAlgorithm.None;

    public static ChecksumType TypeOf(ReadOnlySpan<byte> field) => field.Length >= 2 ? (ChecksumType)field[1] : ChecksumType.FullObject;

    public static ReadOnlySpan<byte> DigestOf(ReadOnlySpan<byte> field) => field.Length > HeaderSize ? field[HeaderSize..] : default;

    /// <summary>The value S3 sends for the field: base64 of the digest, "base64-N" for a COMPOSITE one; returns the length.</summary>
    public static int Format(ReadOnlySpan<byte> field, Span<byte> destination)
        => TypeOf(field) == ChecksumType.Composite
            ? MultipartChecksum.FormatComposite(DigestOf(field), BinaryPrimitives.ReadUInt16LittleEndian(field[2..]), destination)
            : DigestBase64.Encode(DigestOf(field), destination);

    /// <summary>x-amz-checksum-type and &lt;ChecksumType&gt;.</summary>
    public static ReadOnlySpan<byte> TypeName(ChecksumType type) => type == ChecksumType.Composite ? "COMPOSITE"u8 : "FULL_OBJECT"u8;
}
