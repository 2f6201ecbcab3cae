using System.Runtime.CompilerServices;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Crypto;
using FastS3.Storage;
using FastS3.Xml;
using System.Diagnostics.CodeAnalysis;

namespace FastS3.Api;

/// <summary>
/// CopyObject: the source's plaintext (decrypted with the copy-source key when it is SSE-C) is
/// streamed into a new object (encrypted with the request's key when one is given), with the COPY
/// or REPLACE metadata directive and the x-amz-copy-source-if-* conditions. Copying an SSE-C object
/// onto itself with a new key is a key rotation: only the sealed object key changes (O(1); data,
/// metadata and ETag untouched).
/// </summary>
public sealed class Copy(Store store, S3Options options)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> CopyObjectAsync(S3Call call)
    {
        if (!call.TryResolveObject(store, out Bucket? bucket, out S3Error? missing))
        {
            return missing;
        }

        if (!TryResolveSource(call, store, out Bucket? sourceBucket, out string sourceBucketName, out byte[]? sourceValue, out S3Error? sourceError))
        {
            return sourceError;
        }

        ObjectRecord.TryRead(sourceValue, out ObjectRecord source);
        bool replaceMetadata = false;
        if (call.Request.Headers.TryGetValue("x-amz-metadata-directive"u8, out ReadOnlySpan<byte> directive))
        {
            replaceMetadata = directive.SequenceEqual("REPLACE"u8);
            if (!replaceMetadata && !directive.SequenceEqual("COPY"u8))
            {
                return S3Errors.InvalidMetadataDirective;
            }
        }

        if ((CheckSource(call, source, sourceBucketName, sourceValue, out byte[]? details) ?? Put.ServerManagedEncryptionRefused(call)) is { } refused)
        {
            return refused;
        }

        if (Tagging.ForCopy(call, source, out byte[] tags) is { } invalidTags)
        {
            return invalidTags;
        }

        bool sameObject = ReferenceEquals(sourceBucket, bucket) && call.CopySourceKey.SequenceEqual(call.Key);
        bool sourceEncrypted = source.Has(RecordFlags.SseC);
        if (sameObject && sourceEncrypted && call.HasCustomerKey && !replaceMetadata)
        {
            return await RotateAsync(call, bucket, sourceValue, tags);
        }

        if (sameObject && !sourceEncrypted && !call.HasCustomerKey && !replaceMetadata)
        {
            return S3Errors.IllegalCopyToItself;
        }

        return await CopyDataAsync(call, bucket, sourceBucket, sourceValue, replaceMetadata ? null : details, tags);
    }

    /// <summary>The bucket and record x-amz-copy-source names (InvalidArgument, InvalidBucketName, NoSuchBucket or NoSuchKey otherwise).</summary>
    internal static bool TryResolveSource(S3Call call, Store store, [NotNullWhen(true)] out Bucket? sourceBucket, out string sourceBucketName, [NotNullWhen(true)] out byte[]? sourceValue, out S3Error? error)
    {
        sourceBucket = null;
        sourceValue = null;
        error = call.ParseCopySource(out sourceBucketName)
            ?? ((sourceBucket = store.FindBucket(System.Text.Encoding.ASCII.GetBytes(sourceBucketName))) is null ? S3Errors.NoSuchBucket
            : !sourceBucket.Objects.TryGet(call.CopySourceKey, out sourceValue) || !ObjectRecord.TryRead(sourceValue, out _) ? S3Errors.NoSuchKey
            : null);
        return error is null;
    }

    /// <summary>
    /// The x-amz-copy-source-if-* conditions and both SSE-C triples. On success <paramref name="details"/>
    /// holds the source's content headers (its sealed record, opened, when it is SSE-C) and the
    /// source object key is in the call.
    /// </summary>
    internal static S3Error? CheckSource(S3Call call, in ObjectRecord source, string sourceBucket, byte[] sourceValue, out byte[]? details)
    {
        details = sourceValue;
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

        bool encrypted = source.Has(RecordFlags.SseC);
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

    /// <summary>
    /// A reader of <paramref name="range"/> of the source's plaintext, decrypted with the copy-source
    /// key when it is SSE-C; null when the source was replaced meanwhile or its part table fails authentication.
    /// </summary>
    internal static async ValueTask<ContentReader?> OpenSourceAsync(S3Call call, Bucket sourceBucket, byte[] sourceValue, ByteRange range)
    {
        ObjectContent? content = await ObjectContent.LoadAsync(sourceBucket, sourceValue);
        ObjectRecord.TryRead(sourceValue, out ObjectRecord source);
        bool encrypted = source.Has(RecordFlags.SseC);
        if (content is null || (encrypted && !content.IsAuthentic(call.SourceObjectKey)))
        {
            return null;
        }

        try
        {
            return content.OpenReader(range, encrypted ? call.SourceObjectKey : default, call.ReadPartKey);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Key rotation: the same object key sealed again under the new customer key (and the copy's tags set).</summary>
    private static async ValueTask<S3Error?> RotateAsync(S3Call call, Bucket bucket, byte[] current, byte[] tags)
    {
        ObjectRecord.TryRead(current, out ObjectRecord record);
        ObjectRecord.TryRead(Encryption.Reseal(call, record), out ObjectRecord resealed);
        byte[] rotated = resealed.With(RecordField.Tags, tags);
        byte[] expectedETag = record.ETag.ToArray();
        RecordWrite result = await bucket.Objects.PutAsync(call.Key.ToArray(), rotated, (value, exists) =>
            exists && ObjectRecord.TryRead(value, out ObjectRecord now) && now.ETag.SequenceEqual(expectedETag));
        if (!result.Applied)
        {
            return S3Errors.PreconditionFailed;
        }

        ObjectRecord.TryRead(rotated, out ObjectRecord written);
        SseC.Echo(call.Response, call.CustomerKeyMd5);
        WriteResult(call, null, "CopyObjectResult"u8, written.ETag, written.LastModified);
        return null;
    }

    private async ValueTask<S3Error?> CopyDataAsync(S3Call call, Bucket bucket, Bucket sourceBucket, byte[] sourceValue, byte[]? copiedDetails, byte[] tags)
    {
        ObjectRecord.TryRead(sourceValue, out ObjectRecord source);
        long size = source.Size;
        bool encrypted = call.HasCustomerKey;
        call.Hasher.Begin(md5: !encrypted, sha256: false, ChecksumAlgorithm.Crc64Nvme);
        using ContentReader? reader = size == 0 ? null : await OpenSourceAsync(call, sourceBucket, sourceValue, new ByteRange(0, size));
        if (size > 0 && reader is null)
        {
            return S3Errors.NoSuchKey;
        }

        using SegmentStreamEncryptor? encryptor = encrypted ? new SegmentStreamEncryptor(Put.CreateObjectKey(call), size) : null;
        if (encrypted)
        {
            SseC.Echo(call.Response, call.CustomerKeyMd5);
        }

        await using KeepAlive keepAlive = KeepAlive.Start(call, options);
        await using NewObjectData data = NewObjectData.Create(bucket, encrypted ? SegmentFormat.StoredSize(size) : size);
        byte[] record;
        RecordWrite result;
        try
        {
            await CopyIntoAsync(call, reader, data.Writer, encryptor);
            await data.CommitAsync();
            record = Put.BuildRecord(call, data, size, encrypted, copiedDetails, out S3Error? headerError, tags: tags);
            if (headerError is not null || bucket.IsDeleted)
            {
                data.Discard();
                await keepAlive.StopAsync();
                return keepAlive.Fail(headerError ?? S3Errors.NoSuchBucket);
            }

            result = await data.PublishAsync(bucket.Objects.PutAsync(call.Key.ToArray(), record));
        }
        catch (Exception exception)
        {
            if (await keepAlive.ReportAsync(exception))
            {
                return null;
            }

            throw;
        }

        await bucket.DeleteDataOfAsync(result.Previous);
        await keepAlive.StopAsync();
        ObjectRecord.TryRead(record, out ObjectRecord written);
        WriteResult(call, keepAlive, "CopyObjectResult"u8, written.ETag, written.LastModified);
        return null;
    }

    /// <summary>Streams the reader's plaintext through the hasher (begun by the caller) into the writer, encrypting when asked; the hasher is finished.</summary>
    internal static async ValueTask CopyIntoAsync(S3Call call, ContentReader? reader, IObjectWriter writer, SegmentStreamEncryptor? encryptor)
    {
        if (reader is not null)
        {
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
    }

    /// <summary>CopyObjectResult or CopyPartResult, after whatever whitespace kept the connection alive (stopped by now).</summary>
    internal static void WriteResult(S3Call call, KeepAlive? keepAlive, ReadOnlySpan<byte> root, ReadOnlySpan<byte> etag, DateTimeOffset lastModified)
    {
        var xml = new XmlBuilder(256);
        try
        {
            Span<byte> quoted = stackalloc byte[etag.Length + 2];
            xml.OpenRoot(root);
            xml.Element("LastModified"u8, lastModified);
            xml.Element("ETag"u8, quoted[..ETag.WriteQuoted(etag, quoted)]);
            xml.Close(root);
            if (keepAlive is null)
            {
                xml.WriteTo(call.Response);
            }
            else
            {
                keepAlive.Send(xml);
            }
        }
        finally
        {
            xml.Dispose();
        }
    }
}
