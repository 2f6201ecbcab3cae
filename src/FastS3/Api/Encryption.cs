using System.Buffers;
using FastS3.Basics;
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
        bool encrypted = record.Has(RecordFlags.SseC);
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

    /// <summary>Opens a copy source's object key with the copy-source customer key into the call.</summary>
    public static bool TryOpenSourceKey(S3Call call, in ObjectRecord source, string sourceBucket)
    {
        ReadOnlySpan<byte> field = source.Field(RecordField.Encryption);
        Span<byte> bucket = stackalloc byte[sourceBucket.Length];
        System.Text.Encoding.ASCII.GetBytes(sourceBucket, bucket);
        return field.Length == FieldSize && field[0] == ObjectKey.SealAlgorithm
            && ObjectKey.TryUnseal(call.CopyCustomerKey, bucket, call.CopySourceKey, field.Slice(1, ObjectKey.IvSize), field[(1 + ObjectKey.IvSize)..], call.SourceObjectKey);
    }

    /// <summary>
    /// Key rotation: the record again, with its object key sealed under the request's customer key
    /// instead of the copy-source one (same IV, data and ETag), and a new LastModified.
    /// </summary>
    public static byte[] Reseal(S3Call call, in ObjectRecord record)
    {
        ReadOnlySpan<byte> field = record.Field(RecordField.Encryption);
        Span<byte> resealed = stackalloc byte[FieldSize];
        field.CopyTo(resealed);
        if (!ObjectKey.TryReseal(call.CopyCustomerKey, call.CustomerKey, call.BucketName, call.Key, field.Slice(1, ObjectKey.IvSize), field[(1 + ObjectKey.IvSize)..], resealed[(1 + ObjectKey.IvSize)..]))
        {
            throw new S3Exception(S3Errors.SseCWrongKey);
        }

        return record.With(RecordField.Encryption, resealed, DateTimeOffset.UtcNow);
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
    public static byte[]? OpenMetadata(S3Call call, in ObjectRecord record) => OpenMetadata(call.ObjectKey, record);

    public static byte[]? OpenMetadata(ReadOnlySpan<byte> objectKey, in ObjectRecord record)
    {
        byte[] metadata = new byte[MetadataLength(record)];
        return TryOpenMetadata(objectKey, record, metadata, out int written) ? metadata[..written] : null;
    }

    /// <summary>
    /// Opens the sealed metadata into <paramref name="metadata"/> (at least <see cref="MetadataLength"/>
    /// bytes); false if it does not authenticate.
    /// </summary>
    public static bool TryOpenMetadata(ReadOnlySpan<byte> objectKey, in ObjectRecord record, Span<byte> metadata, out int written)
    {
        written = 0;
        ReadOnlySpan<byte> sealedBlob = record.Field(RecordField.SealedMetadata);
        return sealedBlob.Length >= MetadataCipher.Overhead && MetadataCipher.TryOpen(objectKey, sealedBlob, metadata, out written);
    }

    /// <summary>Upper bound of the opened metadata's length.</summary>
    public static int MetadataLength(in ObjectRecord record) => Math.Max(0, record.Field(RecordField.SealedMetadata).Length - MetadataCipher.Overhead);
}
