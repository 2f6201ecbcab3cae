using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// The records newly written bytes get, one per kind of write: an object's (PutObject, CopyObject),
/// a part's (UploadPart, UploadPartCopy) and an upload's (CreateMultipartUpload). An SSE-C record
/// keeps only sizes, times, the (random) ETag, tags and the sealed data key readable: content
/// headers, user metadata and checksums are sealed under the data key. Tags stay in the clear, as
/// tags are not content. An object's record comes in two halves, what is known before its bytes
/// (<see cref="ObjectDraft"/>) and what they give (<see cref="ObjectFinish"/>), which the store puts
/// together (see <see cref="NewObject"/>); part records are built once the body's hasher has finished.
/// </summary>
internal static class NewRecords
{
    /// <summary>
    /// The first half of an object's record, known before its bytes: flags, the declared sizes, the
    /// tags, and the content headers from the request or (CopyObject with COPY) from
    /// <paramref name="copiedHeaders"/>, the source's record of them; in the clear, or sealed beside
    /// the sealed key. A malformed header is the error.
    /// </summary>
    public static S3Error? ObjectDraft(S3Call call, NewDataKey key, byte[]? copiedHeaders, ReadOnlySpan<byte> tags, long size, long storedSize, out byte[] draft)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var builder = new ObjectRecord.Builder((byte)(key.IsEmpty ? RecordFlags.None : RecordFlags.Encrypted), Guid.Empty, size, storedSize, now);
        try
        {
            builder.AddIfPresent(RecordField.Tags, tags);
            return FinishWithContent(call, key, copiedHeaders, ref builder, size, now, out draft);
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>
    /// The second half of an object's record, once its bytes (<paramref name="storedSize"/> of them
    /// stored) are in and the hasher has finished: the sizes, the ETag, and the checksum, sealed
    /// under the data key when the object is encrypted.
    /// </summary>
    public static byte[] ObjectFinish(S3Call call, NewDataKey key, long storedSize)
    {
        var builder = new ObjectRecord.Builder(0, Guid.Empty, call.Hasher.Length, storedSize, DateTimeOffset.UtcNow);
        try
        {
            AddETag(call, key.Key, key.ETagIsMd5, ref builder);
            Span<byte> checksum = stackalloc byte[StoredChecksum.MaxLength];
            checksum = checksum[..WriteChecksum(call, checksum)];
            if (key.IsEmpty)
            {
                builder.AddIfPresent(RecordField.Checksum, checksum);
            }
            else
            {
                Encryption.SealChecksum(key.Key, checksum, ref builder);
            }

            return builder.Written.ToArray();
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>
    /// A part's record: its ETag and checksum only, as the headers and the sealed key belong to its
    /// upload. An SSE-C part (under <paramref name="uploadKey"/>, the upload's data key) also gets
    /// the MAC binding it to this upload and part number, made now, while the key is here: S3 lets
    /// the Complete come without it.
    /// </summary>
    public static byte[] Part(S3Call call, NewObjectData data, DataKey uploadKey, bool md5ETag, ReadOnlySpan<byte> uploadId, int partNumber)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        ObjectRecord.Builder builder = Start(call, data, uploadKey, md5ETag, now);
        try
        {
            Span<byte> checksum = stackalloc byte[StoredChecksum.MaxLength];
            checksum = checksum[..WriteChecksum(call, checksum)];
            if (uploadKey.IsEmpty)
            {
                builder.Add(RecordField.Checksum, checksum);
                return builder.Written.ToArray();
            }

            Encryption.SealChecksum(uploadKey, checksum, ref builder);
            Span<byte> input = stackalloc byte[PartTable.PartMacInputSize];
            Span<byte> mac = stackalloc byte[PartTable.MacSize];
            PartTable.WritePartMacInput(uploadId, new PartEntry(partNumber, data.DataId, call.Hasher.Length, data.Writer.Length), input);
            ObjectKey.MacPart(uploadKey.Span, input, mac);
            builder.Add(RecordField.PartMac, mac);
            return builder.Written.ToArray();
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>
    /// An upload's record: the checksum declaration and the tags in clear, and the content headers
    /// and user metadata as a PUT would store them. A malformed header is the error.
    /// </summary>
    public static S3Error? Upload(S3Call call, NewDataKey key, ChecksumAlgorithm algorithm, ChecksumType type, ReadOnlySpan<byte> tags, out byte[] record)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var builder = new ObjectRecord.Builder((byte)(key.IsEmpty ? RecordFlags.None : RecordFlags.Encrypted), Guid.Empty, 0, 0, now);
        try
        {
            if (algorithm != ChecksumAlgorithm.None)
            {
                Span<byte> declaration = stackalloc byte[StoredChecksum.HeaderSize];
                StoredChecksum.Write(algorithm, type, 0, default, declaration);
                builder.Add(RecordField.Checksum, declaration);
            }

            builder.AddIfPresent(RecordField.Tags, tags);
            return FinishWithContent(call, key, copiedHeaders: null, ref builder, 0, now, out record);
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>The header and ETag a part's record starts with.</summary>
    private static ObjectRecord.Builder Start(S3Call call, NewObjectData data, DataKey key, bool md5ETag, DateTimeOffset now)
    {
        var builder = new ObjectRecord.Builder((byte)(key.IsEmpty ? RecordFlags.None : RecordFlags.Encrypted), data.DataId, call.Hasher.Length, data.Writer.Length, now);
        AddETag(call, key, md5ETag, ref builder);
        return builder;
    }

    /// <summary>The ETag of written bytes: the content MD5, or for SSE-C and SSE-KMS a random one under the data key.</summary>
    private static void AddETag(S3Call call, DataKey key, bool md5ETag, ref ObjectRecord.Builder builder)
    {
        Span<byte> etag = stackalloc byte[EncryptedETag.HexLength];
        if (md5ETag)
        {
            Hex.Encode(call.Hasher.Md5, etag);
        }
        else
        {
            EncryptedETag.Create(key.Span, etag);
        }

        builder.Add(RecordField.ETag, etag);
    }

    private static int WriteChecksum(S3Call call, Span<byte> destination)
        => StoredChecksum.Write(call.Hasher.Algorithm, ChecksumType.FullObject, 0, call.Hasher.Checksum, destination);

    /// <summary>
    /// Adds the content headers: to the record for a plain object; for an encrypted one as a record of
    /// their own sealed under the data key, beside the sealed key itself. Then the record's bytes; a
    /// malformed header is the error instead.
    /// </summary>
    private static S3Error? FinishWithContent(S3Call call, NewDataKey key, byte[]? copiedHeaders, ref ObjectRecord.Builder record, long size, DateTimeOffset now, out byte[] built)
    {
        built = [];
        if (key.IsEmpty)
        {
            if (Headers(call, copiedHeaders, ref record) is { } plainError)
            {
                return plainError;
            }

            built = record.Written.ToArray();
            return null;
        }

        var details = new ObjectRecord.Builder(0, Guid.Empty, size, size, now);
        try
        {
            record.Add(RecordField.Encryption, key.Field);
            if (Headers(call, copiedHeaders, ref details) is { } sealedError)
            {
                return sealedError;
            }

            Encryption.SealMetadata(key.Key, details.Written, ref record);
            built = record.Written.ToArray();
            return null;
        }
        finally
        {
            details.Dispose();
        }
    }

    private static S3Error? Headers(S3Call call, byte[]? copiedHeaders, ref ObjectRecord.Builder record)
    {
        if (copiedHeaders is null)
        {
            return ObjectHeaders.Capture(call.Request.Headers, ref record);
        }

        ObjectRecord.TryRead(copiedHeaders, out ObjectRecord source);
        ObjectHeaders.CopyFrom(source, ref record);
        return null;
    }
}
