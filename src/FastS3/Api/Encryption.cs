using System.Buffers;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// SSE-C on the object path, between the S3 handlers and the pure crypto: creating and opening an
/// object's key from the customer key, writing the encryption fields of its record, and sealing or
/// opening the metadata that must not be readable on disk.
/// </summary>
public static class Encryption
{
    /// <summary>seal algorithm, IV, sealed key.</summary>
    private const int FieldSize = 1 + ObjectKey.IvSize + ObjectKey.SealedSize;

    public const int FieldLength = FieldSize;

    /// <summary>Draws the object key for a new SSE-C object into the call and fills <paramref name="field"/>, the record's encryption field.</summary>
    public static void CreateObjectKey(S3Call call, Span<byte> field)
    {
        field[0] = ObjectKey.SealAlgorithm;
        ObjectKey.Create(call.CustomerKey, call.BucketName, call.Key, call.ObjectKey, field.Slice(1, ObjectKey.IvSize), field.Slice(1 + ObjectKey.IvSize, ObjectKey.SealedSize));
    }

    /// <summary>
    /// Opens the object key of a stored SSE-C object into the call: the key must be present (400) and
    /// right (403); a key sent for a plain object is an error too (400).
    /// </summary>
    public static S3Error? OpenObjectKey(S3Call call, in ObjectRecord record)
    {
        bool encrypted = ((RecordFlags)record.Flags).HasFlag(RecordFlags.SseC);
        if (!encrypted)
        {
            return call.HasCustomerKey ? S3Errors.SseCNotApplicable : null;
        }

        if (!call.HasCustomerKey)
        {
            return S3Errors.SseCRequired;
        }

        ReadOnlySpan<byte> field = record.Field(RecordField.Encryption);
        if (field.Length != FieldSize || field[0] != ObjectKey.SealAlgorithm
            || !ObjectKey.TryUnseal(call.CustomerKey, call.BucketName, call.Key, field.Slice(1, ObjectKey.IvSize), field[(1 + ObjectKey.IvSize)..], call.ObjectKey))
        {
            return S3Errors.SseCWrongKey;
        }

        return null;
    }

    /// <summary>Seals <paramref name="metadata"/> (a record of its own) into the record's sealed-metadata field.</summary>
    public static void SealMetadata(S3Call call, ReadOnlySpan<byte> metadata, ref ObjectRecord.Builder record)
    {
        byte[] sealedBlob = ArrayPool<byte>.Shared.Rent(MetadataCipher.SealedLength(metadata.Length));
        try
        {
            int length = MetadataCipher.Seal(call.ObjectKey, metadata, sealedBlob);
            record.Add(RecordField.SealedMetadata, sealedBlob.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sealedBlob);
        }
    }

    /// <summary>Opens the sealed metadata into a new array; null if it does not authenticate.</summary>
    public static byte[]? OpenMetadata(S3Call call, in ObjectRecord record)
    {
        ReadOnlySpan<byte> sealedBlob = record.Field(RecordField.SealedMetadata);
        if (sealedBlob.Length < MetadataCipher.Overhead)
        {
            return null;
        }

        byte[] metadata = new byte[sealedBlob.Length - MetadataCipher.Overhead];
        return MetadataCipher.TryOpen(call.ObjectKey, sealedBlob, metadata, out int written) ? metadata[..written] : null;
    }
}
