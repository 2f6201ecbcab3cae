using System.Runtime.CompilerServices;
using FastS3.Auth;
using FastS3.Checksums;
using FastS3.Crypto;
using FastS3.Storage;
using FastS3.Storage.Index;
using FastS3.Xml;
using Microsoft.Win32.SafeHandles;

namespace FastS3.Api;

/// <summary>
/// CopyObject: the source's plaintext (decrypted with the copy-source key when it is SSE-C) is
/// streamed into a new object (encrypted with the request's key when one is given), with the COPY
/// or REPLACE metadata directive and the x-amz-copy-source-if-* conditions. Copying an SSE-C object
/// onto itself with a new key is a key rotation: only the sealed object key changes (O(1); data,
/// metadata and ETag untouched).
/// </summary>
public sealed class Copy(Store store)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> CopyObjectAsync(S3Call call)
    {
        if (!call.TryResolveObject(store, out Bucket? bucket, out S3Error? missing))
        {
            return missing;
        }

        if (!call.TryParseCopySource(out string sourceBucketName))
        {
            return S3Errors.InvalidCopySource;
        }

        Bucket? sourceBucket = store.FindBucket(System.Text.Encoding.ASCII.GetBytes(sourceBucketName));
        if (sourceBucket is null)
        {
            return S3Errors.NoSuchBucket;
        }

        if (!sourceBucket.Index.TryGet(call.CopySourceKey, out byte[]? sourceValue) || !ObjectRecord.TryRead(sourceValue, out ObjectRecord source))
        {
            return S3Errors.NoSuchKey;
        }

        if (Check(call, source, sourceBucketName, sourceValue, out bool replaceMetadata, out byte[]? details) is { } refused)
        {
            return refused;
        }

        bool sameObject = ReferenceEquals(sourceBucket, bucket) && call.CopySourceKey.SequenceEqual(call.Key);
        bool sourceEncrypted = ((RecordFlags)source.Flags).HasFlag(RecordFlags.SseC);
        if (sameObject && sourceEncrypted && call.HasCustomerKey && !replaceMetadata)
        {
            return await RotateAsync(call, bucket, sourceValue);
        }

        if (sameObject && !sourceEncrypted && !call.HasCustomerKey && !replaceMetadata)
        {
            return S3Errors.IllegalCopyToItself;
        }

        return await CopyDataAsync(call, bucket, sourceBucket, sourceValue, replaceMetadata ? null : details);
    }

    /// <summary>
    /// Directive, conditions and keys. On success <paramref name="details"/> holds the source's content
    /// headers (its sealed record, opened, when it is SSE-C) and the source object key is in the call.
    /// </summary>
    private static S3Error? Check(S3Call call, in ObjectRecord source, string sourceBucket, byte[] sourceValue, out bool replaceMetadata, out byte[]? details)
    {
        details = sourceValue;
        replaceMetadata = false;
        if (call.Request.Headers.TryGetValue("x-amz-metadata-directive"u8, out ReadOnlySpan<byte> directive))
        {
            replaceMetadata = directive.SequenceEqual("REPLACE"u8);
            if (!replaceMetadata && !directive.SequenceEqual("COPY"u8))
            {
                return S3Errors.InvalidMetadataDirective;
            }
        }

        Span<byte> etag = stackalloc byte[source.ETag.Length + 2];
        ETag.WriteQuoted(source.ETag, etag);
        if (Preconditions.EvaluateCopySource(call.Request.Headers, etag, source.LastModified) != Preconditions.Result.Proceed)
        {
            return S3Errors.PreconditionFailed;
        }

        if (call.ParseCopySourceKey() is { } copyKeyError)
        {
            return copyKeyError;
        }

        if (call.ParseCustomerKey() is { } keyError)
        {
            return keyError;
        }

        bool encrypted = ((RecordFlags)source.Flags).HasFlag(RecordFlags.SseC);
        if (!encrypted)
        {
            return call.HasCopySourceKey ? S3Errors.SseCNotApplicable : null;
        }

        if (!call.HasCopySourceKey)
        {
            return S3Errors.SseCRequired;
        }

        if (!Encryption.TryOpenSourceKey(call, source, sourceBucket))
        {
            // Rotating with the same (wrong) key on both sides is its own error, as in S3.
            return call.CopySourceKeyEqualsCustomerKey ? S3Errors.SseCKeyMismatchOnRotation : S3Errors.SseCWrongKey;
        }

        details = Encryption.OpenMetadata(call.SourceObjectKey, source);
        return details is null || !ObjectRecord.TryRead(details, out _) ? S3Errors.ObjectTampered : null;
    }

    /// <summary>Key rotation: the same object key sealed again under the new customer key.</summary>
    private static async ValueTask<S3Error?> RotateAsync(S3Call call, Bucket bucket, byte[] current)
    {
        ObjectRecord.TryRead(current, out ObjectRecord record);
        byte[] rotated = Encryption.Reseal(call, record);
        byte[] expectedETag = record.ETag.ToArray();
        IndexWriteResult result = await bucket.Index.PutAsync(call.Key.ToArray(), rotated, (value, exists) =>
            exists && ObjectRecord.TryRead(value, out ObjectRecord now) && now.ETag.SequenceEqual(expectedETag));
        if (!result.Applied)
        {
            return S3Errors.PreconditionFailed;
        }

        ObjectRecord.TryRead(rotated, out ObjectRecord written);
        WriteResult(call, written.ETag, written.LastModified);
        return null;
    }

    private async ValueTask<S3Error?> CopyDataAsync(S3Call call, Bucket bucket, Bucket sourceBucket, byte[] sourceValue, byte[]? copiedDetails)
    {
        ObjectRecord.TryRead(sourceValue, out ObjectRecord source);
        long size = source.Size;
        Guid sourceId = source.DataId;
        bool sourceEncrypted = ((RecordFlags)source.Flags).HasFlag(RecordFlags.SseC);
        bool encrypted = call.HasCustomerKey;
        call.Hasher.Begin(md5: !encrypted, sha256: false, ChecksumAlgorithm.Crc64Nvme);
        SegmentStreamEncryptor? encryptor = null;
        if (encrypted)
        {
            Encryption.CreateObjectKey(call, call.EncryptionField);
            encryptor = new SegmentStreamEncryptor(call.ObjectKey);
        }

        var dataId = Guid.NewGuid();
        string? dataPath = null;
        long storedSize;
        try
        {
            await using DataFileWriter writer = DataFileWriter.Create(store.NewTempPath(), store.Options.WriteMode, store.Blocks);
            if (size > 0)
            {
                using SafeFileHandle file = File.OpenHandle(sourceBucket.DataPath(sourceId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using ObjectReader reader = await ObjectReader.OpenAsync(file, size, new ByteRange(0, size), sourceEncrypted ? call.SourceObjectKey : ReadOnlyMemory<byte>.Empty);
                for (ReadOnlyMemory<byte> chunk = await reader.ReadAsync(); !chunk.IsEmpty; chunk = await reader.ReadAsync())
                {
                    call.Hasher.Append(chunk.Span);
                    await (encryptor is null ? writer.WriteAsync(chunk) : Put.EncryptAsync(writer, encryptor, chunk, final: false));
                }
            }

            if (encryptor is not null)
            {
                await Put.EncryptAsync(writer, encryptor, ReadOnlyMemory<byte>.Empty, final: true);
            }

            call.Hasher.Finish();
            storedSize = writer.Length;
            if (storedSize > 0)
            {
                dataPath = bucket.DataPath(dataId);
                await writer.CommitAsync(dataPath);
            }
        }
        finally
        {
            encryptor?.Dispose();
        }

        byte[] record = Put.BuildRecord(call, dataPath is null ? Guid.Empty : dataId, size, storedSize, encrypted, copiedDetails, out S3Error? headerError);
        if (headerError is not null)
        {
            Put.DeleteQuietly(dataPath);
            return headerError;
        }

        if (bucket.IsDeleted)
        {
            Put.DeleteQuietly(dataPath);
            return S3Errors.NoSuchBucket;
        }

        IndexWriteResult result = await bucket.Index.PutAsync(call.Key.ToArray(), record);
        Put.DeleteDataOf(bucket, result.Previous);
        ObjectRecord.TryRead(record, out ObjectRecord written);
        WriteResult(call, written.ETag, written.LastModified);
        return null;
    }

    private static void WriteResult(S3Call call, ReadOnlySpan<byte> etag, DateTimeOffset lastModified)
    {
        if (call.HasCustomerKey)
        {
            SseC.Echo(call.Response, call.CustomerKeyMd5);
        }

        Span<byte> quoted = stackalloc byte[etag.Length + 2];
        var xml = new XmlBuilder(256);
        try
        {
            xml.OpenRoot("CopyObjectResult"u8);
            xml.Element("LastModified"u8, lastModified);
            xml.Element("ETag"u8, quoted[..ETag.WriteQuoted(etag, quoted)]);
            xml.Close("CopyObjectResult"u8);
            xml.WriteTo(call.Response);
        }
        finally
        {
            xml.Dispose();
        }
    }
}
