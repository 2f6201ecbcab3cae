using System.Buffers;
using FastS3.Basics;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// SSE-C on the object path, between the S3 handlers and the pure crypto: drawing and opening an
/// object's data key with the customer key, the record field that keeps it sealed, and sealing or
/// opening the metadata that must not be readable on disk. Keys come back as values; nothing is
/// left in the call for the next helper to pick up.
/// </summary>
public static class Encryption
{
    /// <summary>seal algorithm, IV, sealed key.</summary>
    public const int FieldLength = 1 + ObjectKey.IvSize + ObjectKey.SealedSize;

    /// <summary>Draws a new SSE-C object's data key, sealed for its bucket and name under the request's customer key.</summary>
    public static NewDataKey CreateKey(S3Call call)
    {
        byte[] field = new byte[FieldLength];
        field[0] = ObjectKey.SealAlgorithm;
        DataKey key = call.Keys.Take();
        ObjectKey.Create(call.CustomerKey, call.BucketName, call.Key, key.Writable, field.AsSpan(1, ObjectKey.IvSize), field.AsSpan(1 + ObjectKey.IvSize, ObjectKey.SealedSize));
        return new NewDataKey(key, field);
    }

    /// <summary>
    /// Opens the data key of a stored SSE-C object (<paramref name="key"/> stays empty for a plain
    /// one): the customer key must be present (400) and right (403); a key sent for a plain object
    /// is an error too (400).
    /// </summary>
    public static S3Error? OpenKey(S3Call call, in ObjectRecord record, out DataKey key)
    {
        key = default;
        if (!record.Has(RecordFlags.SseC))
        {
            return call.HasCustomerKey ? S3Errors.SseCNotApplicable : null;
        }

        if (!call.HasCustomerKey)
        {
            return S3Errors.SseCRequired;
        }

        return TryUnseal(call, call.CustomerKey, call.BucketName, call.Key, record, out key) ? null : S3Errors.SseCWrongKey;
    }

    /// <summary>Opens a copy source's data key with the copy-source customer key.</summary>
    public static bool TryOpenSourceKey(S3Call call, in ObjectRecord source, string sourceBucket, out DataKey key)
    {
        Span<byte> bucket = stackalloc byte[sourceBucket.Length];
        System.Text.Encoding.ASCII.GetBytes(sourceBucket, bucket);
        return TryUnseal(call, call.CopyCustomerKey, bucket, call.CopySourceKey, source, out key);
    }

    private static bool TryUnseal(S3Call call, ReadOnlySpan<byte> customerKey, ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> name, in ObjectRecord record, out DataKey key)
    {
        key = default;
        ReadOnlySpan<byte> field = record.Field(RecordField.Encryption);
        if (field.Length != FieldLength || field[0] != ObjectKey.SealAlgorithm)
        {
            return false;
        }

        DataKey opened = call.Keys.Take();
        if (!ObjectKey.TryUnseal(customerKey, bucket, name, field.Slice(1, ObjectKey.IvSize), field[(1 + ObjectKey.IvSize)..], opened.Writable))
        {
            opened.Dispose();
            return false;
        }

        key = opened;
        return true;
    }

    /// <summary>
    /// Key rotation: the record again, with its data key sealed under the request's customer key
    /// instead of the copy-source one (same IV, data and ETag), and a new LastModified; SseCWrongKey
    /// when the copy-source key does not open it.
    /// </summary>
    public static S3Error? Reseal(S3Call call, in ObjectRecord record, out byte[] resealedRecord)
    {
        resealedRecord = [];
        ReadOnlySpan<byte> field = record.Field(RecordField.Encryption);
        Span<byte> resealed = stackalloc byte[FieldLength];
        if (field.Length != FieldLength
            || !ObjectKey.TryReseal(call.CopyCustomerKey, call.CustomerKey, call.BucketName, call.Key, field.Slice(1, ObjectKey.IvSize), field[(1 + ObjectKey.IvSize)..], resealed[(1 + ObjectKey.IvSize)..]))
        {
            return S3Errors.SseCWrongKey;
        }

        field[..(1 + ObjectKey.IvSize)].CopyTo(resealed);
        resealedRecord = record.With(RecordField.Encryption, resealed, DateTimeOffset.UtcNow);
        return null;
    }

    /// <summary>Seals <paramref name="metadata"/> (a record of its own) under <paramref name="key"/> into the record's sealed-metadata field.</summary>
    public static void SealMetadata(DataKey key, ReadOnlySpan<byte> metadata, ref ObjectRecord.Builder record)
    {
        byte[] sealedBlob = ArrayPool<byte>.Shared.Rent(MetadataCipher.SealedLength(metadata.Length));
        try
        {
            int length = MetadataCipher.Seal(key.Span, metadata, sealedBlob);
            record.Add(RecordField.SealedMetadata, sealedBlob.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sealedBlob);
        }
    }

    /// <summary>Opens the sealed metadata into a new array; null if it does not authenticate.</summary>
    public static byte[]? OpenMetadata(DataKey key, in ObjectRecord record)
    {
        byte[] metadata = new byte[MetadataLength(record)];
        return TryOpenMetadata(key, record, metadata, out int written) ? metadata[..written] : null;
    }

    /// <summary>
    /// Opens the sealed metadata into <paramref name="metadata"/> (at least <see cref="MetadataLength"/>
    /// bytes); false if it does not authenticate.
    /// </summary>
    public static bool TryOpenMetadata(DataKey key, in ObjectRecord record, Span<byte> metadata, out int written)
    {
        written = 0;
        ReadOnlySpan<byte> sealedBlob = record.Field(RecordField.SealedMetadata);
        return sealedBlob.Length >= MetadataCipher.Overhead && MetadataCipher.TryOpen(key.Span, sealedBlob, metadata, out written);
    }

    /// <summary>Upper bound of the opened metadata's length.</summary>
    public static int MetadataLength(in ObjectRecord record) => Math.Max(0, record.Field(RecordField.SealedMetadata).Length - MetadataCipher.Overhead);
}
