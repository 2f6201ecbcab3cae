using System.Buffers;
using System.Security.Cryptography;
using FastS3.Basics;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// Encryption on the object path, between the S3 handlers and the pure crypto: drawing and opening
/// an object's data key (SSE-C with the customer key, SSE-S3 and SSE-KMS through the KMS, see
/// <see cref="ServerKeys"/>), the record field that keeps it sealed, and sealing or opening the
/// metadata that must not be readable on disk. Keys come back as values; nothing is left in the
/// call for the next helper to pick up.
/// </summary>
public static class Encryption
{
    /// <summary>SSE-C: seal algorithm, IV, sealed key.</summary>
    public const int FieldLength = 1 + ObjectKey.IvSize + ObjectKey.SealedSize;

    /// <summary>
    /// The data key a new object or upload in <paramref name="bucket"/> gets: under the request's
    /// customer key (SSE-C), or the KMS key its x-amz-server-side-encryption headers ask for, or
    /// else the bucket's default encryption (or the server's); none (a plain object) when that is
    /// none. The headers must have been parsed; a KMS key that is missing or disabled is the error.
    /// </summary>
    public static S3Error? CreateKey(S3Call call, Bucket bucket, out NewDataKey key)
    {
        key = default;
        if (!Encrypts(call, bucket, out ServerSideRequest request))
        {
            return null;
        }

        DataKey drawn = call.Keys.Take();
        RandomNumberGenerator.Fill(drawn.Writable);
        if (Seal(call, request, drawn, out byte[] field) is { } error)
        {
            drawn.Dispose();
            return error;
        }

        key = new NewDataKey(drawn, field);
        return null;
    }

    /// <summary>Whether a write of this request is encrypted, and unless it is SSE-C, under what (its headers, or the bucket's default).</summary>
    private static bool Encrypts(S3Call call, Bucket bucket, out ServerSideRequest request)
    {
        request = call.ServerSide;
        if (call.HasCustomerKey)
        {
            return true;
        }

        if (!request.IsPresent)
        {
            (ServerSideAlgorithm algorithm, string? keyId, bool bucketKey) = BucketEncryption.DefaultFor(bucket, call.Options);
            request = new ServerSideRequest(algorithm, keyId, Context: null, bucketKey);
        }

        return request.IsPresent;
    }

    /// <summary>Seals <paramref name="key"/> for the request's object, with a fresh IV, into a new encryption field: under the customer key, or through the KMS.</summary>
    private static S3Error? Seal(S3Call call, in ServerSideRequest request, DataKey key, out byte[] field)
    {
        if (!call.HasCustomerKey)
        {
            return ServerKeys.Seal(call, request, key, out field);
        }

        field = new byte[FieldLength];
        field[0] = ObjectKey.SealAlgorithm;
        ObjectKey.SealFresh(KeyWrap.Customer(call.CustomerKey), call.BucketName, call.Key, key.Span, field.AsSpan(1, ObjectKey.IvSize), field.AsSpan(1 + ObjectKey.IvSize, ObjectKey.SealedSize));
        return null;
    }

    /// <summary>Whether the ETags of <paramref name="record"/> (an object or an upload) are content MD5s, as S3 gives plain and SSE-S3 ones; SSE-C and SSE-KMS ones are random.</summary>
    public static bool ETagIsMd5(in ObjectRecord record) => NewDataKey.IsMd5ETagField(record.Field(RecordField.Encryption));

    /// <summary>As <see cref="ETagIsMd5(in ObjectRecord)"/>, of a stored record.</summary>
    public static bool ETagIsMd5(byte[] record) => ObjectRecord.TryRead(record, out ObjectRecord read) && ETagIsMd5(read);

    /// <summary>Whether <paramref name="record"/> is SSE-C: its requests must bring the customer key.</summary>
    public static bool UsesCustomerKey(in ObjectRecord record)
        => record.Has(RecordFlags.Encrypted) && record.Field(RecordField.Encryption) is [ObjectKey.SealAlgorithm, ..];

    /// <summary>
    /// Opens the data key of a stored object (<paramref name="key"/> stays empty for a plain one).
    /// SSE-C: the customer key must be present (400) and right (403). SSE-S3/KMS: the KMS opens it,
    /// and a customer key sent for it is an error (400), as for a plain object.
    /// </summary>
    public static S3Error? OpenKey(S3Call call, in ObjectRecord record, out DataKey key)
    {
        key = default;
        if (!UsesCustomerKey(record))
        {
            return call.HasCustomerKey ? S3Errors.SseCNotApplicable
                : record.Has(RecordFlags.Encrypted) ? ServerKeys.Open(call, call.BucketName, call.Key, record.Field(RecordField.Encryption), out key)
                : null;
        }

        if (!call.HasCustomerKey)
        {
            return S3Errors.SseCRequired;
        }

        return TryUnseal(call, call.CustomerKey, call.BucketName, call.Key, record, out key) ? null : S3Errors.SseCWrongKey;
    }

    /// <summary>The answer's encryption headers for an object stored under <paramref name="field"/> (SSE-C: the request's key MD5).</summary>
    public static void Echo(S3Call call, ReadOnlySpan<byte> field)
    {
        if (field is [ObjectKey.SealAlgorithm, ..])
        {
            SseC.Echo(call.Response, call.CustomerKeyMd5);
        }
        else if (!field.IsEmpty)
        {
            ServerKeys.Echo(call, field);
        }
    }

    /// <summary>
    /// The encryption context of a new SSE-KMS object or upload, base64, as S3 answers PutObject,
    /// CopyObject and CreateMultipartUpload (not reads); nothing when it was given none.
    /// </summary>
    public static void EchoContext(S3Call call, ReadOnlySpan<byte> field)
    {
        ReadOnlySpan<byte> context = ServerKeys.ContextOf(field);
        if (!context.IsEmpty)
        {
            Span<byte> encoded = stackalloc byte[System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(context.Length)];
            System.Buffers.Text.Base64.EncodeToUtf8(context, encoded, out _, out int written);
            call.Response.Headers.Add(ServerSideEncryption.ContextHeader, encoded[..written]);
        }
    }

    /// <summary>Opens an SSE-C copy source's data key with the copy-source customer key.</summary>
    public static bool TryOpenSourceKey(S3Call call, in ObjectRecord source, string sourceBucket, out DataKey key)
    {
        Span<byte> bucket = stackalloc byte[sourceBucket.Length];
        System.Text.Encoding.ASCII.GetBytes(sourceBucket, bucket);
        return TryUnseal(call, call.CopyCustomerKey, bucket, call.CopySourceKey, source, out key);
    }

    /// <summary>Opens an SSE-S3/KMS copy source's data key through the KMS.</summary>
    public static S3Error? OpenServerSourceKey(S3Call call, in ObjectRecord source, string sourceBucket, out DataKey key)
    {
        Span<byte> bucket = stackalloc byte[sourceBucket.Length];
        System.Text.Encoding.ASCII.GetBytes(sourceBucket, bucket);
        return ServerKeys.Open(call, bucket, call.CopySourceKey, source.Field(RecordField.Encryption), out key);
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
    /// A copy of an encrypted object onto itself that only changes how its data key is wrapped:
    /// <paramref name="record"/> again with <paramref name="key"/> (its opened data key) sealed as
    /// <see cref="CreateKey"/> would seal a new one for this request (mode, KMS key, context, SSE-C
    /// key), and a new LastModified; data, sealed metadata and part table stay valid, as they hang on
    /// the data key only. Null when the data must be copied instead: the request makes it plain, or
    /// SSE-S3, which needs the content MD5 as ETag, and a single-part SSE-C/KMS object has none. The
    /// ETag is kept, but a content MD5 going to a random-ETag mode (SSE-C/KMS) gets a random one.
    /// </summary>
    public static S3Error? Reseal(S3Call call, Bucket bucket, in ObjectRecord record, DataKey key, out byte[]? resealed)
    {
        resealed = null;
        if (!Encrypts(call, bucket, out ServerSideRequest request))
        {
            return null;
        }

        if (Seal(call, request, key, out byte[] field) is { } error)
        {
            return error;
        }

        // A multipart ETag is no content MD5 in any mode: it stays.
        bool hadMd5 = ETagIsMd5(record), wantsMd5 = NewDataKey.IsMd5ETagField(field);
        if (record.Has(RecordFlags.Multipart) || hadMd5 == wantsMd5)
        {
            resealed = record.With(RecordField.Encryption, field, DateTimeOffset.UtcNow);
        }
        else if (!wantsMd5)
        {
            Span<byte> etag = stackalloc byte[EncryptedETag.HexLength];
            EncryptedETag.Create(key.Span, etag);
            ObjectRecord.TryRead(record.With(RecordField.Encryption, field, DateTimeOffset.UtcNow), out ObjectRecord sealedRecord);
            resealed = sealedRecord.With(RecordField.ETag, etag);
        }

        return null;
    }

    /// <summary>Seals <paramref name="metadata"/> (a record of its own) under <paramref name="key"/> into the record's sealed-metadata field.</summary>
    public static void SealMetadata(DataKey key, ReadOnlySpan<byte> metadata, ref ObjectRecord.Builder record)
        => Seal(key, RecordField.SealedMetadata, metadata, ref record);

    /// <summary>Seals a stored checksum under <paramref name="key"/> into the record's sealed-checksum field; nothing when there is none.</summary>
    public static void SealChecksum(DataKey key, scoped ReadOnlySpan<byte> checksum, ref ObjectRecord.Builder record)
    {
        if (!checksum.IsEmpty)
        {
            Seal(key, RecordField.SealedChecksum, checksum, ref record);
        }
    }

    /// <summary>
    /// Opens the sealed checksum into <paramref name="destination"/> (at least <see cref="ChecksumLength"/>
    /// bytes); <paramref name="written"/> is 0 when the record has none (no checksum, or one kept in
    /// the sealed metadata by a record written before the field). False if it does not authenticate.
    /// </summary>
    public static bool TryOpenChecksum(DataKey key, in ObjectRecord record, Span<byte> destination, out int written)
    {
        using MetadataCipher.Opener opener = MetadataCipher.OpenerFor(key.Span);
        return TryOpenChecksum(opener, record, destination, out written);
    }

    /// <summary>
    /// <see cref="TryOpenMetadata"/> and <see cref="TryOpenChecksum(DataKey, in ObjectRecord, Span{byte}, out int)"/>
    /// at once, the metadata subkey derived and the cipher keyed once for both (a read asking for its checksum).
    /// </summary>
    public static bool TryOpenMetadataAndChecksum(DataKey key, in ObjectRecord record, Span<byte> metadata, out int metadataWritten, Span<byte> checksum, out int checksumWritten)
    {
        checksumWritten = 0;
        using MetadataCipher.Opener opener = MetadataCipher.OpenerFor(key.Span);
        return TryOpenMetadata(opener, record, metadata, out metadataWritten) && TryOpenChecksum(opener, record, checksum, out checksumWritten);
    }

    private static bool TryOpenChecksum(in MetadataCipher.Opener opener, in ObjectRecord record, Span<byte> destination, out int written)
    {
        written = 0;
        ReadOnlySpan<byte> sealedBlob = record.Field(RecordField.SealedChecksum);
        return sealedBlob.IsEmpty || opener.TryOpen(sealedBlob, destination, out written);
    }

    /// <summary>
    /// An object's stored checksum given what was opened: <paramref name="openedChecksum"/>, from its
    /// own field, or else (plain records, and encrypted ones written before that field) the checksum
    /// field of <paramref name="details"/>, the record itself or its opened sealed metadata.
    /// </summary>
    public static ReadOnlySpan<byte> Checksum(ReadOnlySpan<byte> openedChecksum, ObjectRecord details)
        => openedChecksum.IsEmpty ? details.Field(RecordField.Checksum) : openedChecksum;

    /// <summary>Upper bound of the opened checksum's length.</summary>
    public static int ChecksumLength(in ObjectRecord record) => Math.Max(0, record.Field(RecordField.SealedChecksum).Length - MetadataCipher.Overhead);

    private static void Seal(DataKey key, RecordField field, scoped ReadOnlySpan<byte> content, ref ObjectRecord.Builder record)
    {
        byte[] sealedBlob = ArrayPool<byte>.Shared.Rent(MetadataCipher.SealedLength(content.Length));
        try
        {
            int length = MetadataCipher.Seal(key.Span, content, sealedBlob);
            record.Add(field, sealedBlob.AsSpan(0, length));
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
        using MetadataCipher.Opener opener = MetadataCipher.OpenerFor(key.Span);
        return TryOpenMetadata(opener, record, metadata, out written);
    }

    private static bool TryOpenMetadata(in MetadataCipher.Opener opener, in ObjectRecord record, Span<byte> metadata, out int written)
    {
        written = 0;
        ReadOnlySpan<byte> sealedBlob = record.Field(RecordField.SealedMetadata);
        return sealedBlob.Length >= MetadataCipher.Overhead && opener.TryOpen(sealedBlob, metadata, out written);
    }

    /// <summary>Upper bound of the opened metadata's length.</summary>
    public static int MetadataLength(in ObjectRecord record) => Math.Max(0, record.Field(RecordField.SealedMetadata).Length - MetadataCipher.Overhead);
}
