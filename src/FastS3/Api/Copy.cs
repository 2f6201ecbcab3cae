using System.Runtime.CompilerServices;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Crypto;
using FastS3.Storage;
using FastS3.Xml;

namespace FastS3.Api;

/// <summary>
/// CopyObject: the source's plaintext (decrypted with the copy-source key when it is SSE-C) is
/// streamed into a new object (encrypted with the request's key when one is given), with the COPY
/// or REPLACE metadata directive and the x-amz-copy-source-if-* conditions.
/// <para>
/// Copying an encrypted object onto itself (COPY directive) to another mode, KMS key, context or
/// SSE-C key only seals its data key again (O(1): data files, sealed metadata and part table stay,
/// see <see cref="Encryption.Reseal"/>). ETag rule, as S3's: an SSE-S3 object's is its content MD5,
/// an SSE-C/KMS one's random, a multipart object's the MD5 of its parts' either way. So the ETag is
/// kept, except that an MD5 going to SSE-C/KMS gets a random one; a single-part SSE-C/KMS object
/// going to SSE-S3 has no MD5 to keep and has its data copied (which computes it), as has one
/// going plain. Plain objects going encrypted are copied too.
/// </para>
/// </summary>
public sealed class Copy(Store store, S3Options options)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> CopyObjectAsync(S3Call call)
    {
        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
        {
            return missing;
        }

        (S3Error? sourceError, CopySource source) = await ResolveSourceAsync(call, store);
        if (sourceError is not null)
        {
            return sourceError;
        }

        bool replaceMetadata = false;
        if (call.Request.Headers.TryGetValue("x-amz-metadata-directive"u8, out ReadOnlySpan<byte> directive))
        {
            replaceMetadata = directive.SequenceEqual("REPLACE"u8);
            if (!replaceMetadata && !directive.SequenceEqual("COPY"u8))
            {
                return S3Errors.InvalidMetadataDirective;
            }
        }

        if ((CheckSource(call, source, out DataKey opened, out byte[] headers) ?? call.ParseServerSide()) is { } refused)
        {
            return refused;
        }

        using DataKey sourceKey = opened;
        ObjectRecord.TryRead(source.Record, out ObjectRecord sourceRecord);
        if (Tagging.ForCopy(call, sourceRecord, out byte[] tags) is { } invalidTags)
        {
            return invalidTags;
        }

        // Onto itself, without a change of encryption or metadata, a copy changes nothing and S3 refuses it.
        bool sameObject = ReferenceEquals(source.Bucket, bucket) && call.CopySourceKey.SequenceEqual(call.Key);
        if (sameObject && !Encryption.UsesCustomerKey(sourceRecord) && !call.HasCustomerKey && !call.ServerSide.IsPresent && !replaceMetadata)
        {
            return S3Errors.IllegalCopyToItself;
        }

        // An encrypted object whose wrapping alone changes keeps its data: only its key is sealed again.
        if (sameObject && !replaceMetadata && !sourceKey.IsEmpty)
        {
            if (Encryption.Reseal(call, bucket, sourceRecord, sourceKey, out byte[]? resealed) is { } keyError)
            {
                return keyError;
            }

            if (resealed is not null)
            {
                return await RewrapAsync(call, bucket, source.Record, resealed, tags);
            }
        }

        return await CopyDataAsync(call, bucket, source, sourceKey, replaceMetadata ? null : headers, tags);
    }

    /// <summary>The object x-amz-copy-source names (InvalidArgument, InvalidBucketName, NoSuchBucket or NoSuchKey otherwise).</summary>
    internal static async ValueTask<(S3Error? Error, CopySource Source)> ResolveSourceAsync(S3Call call, Store store)
    {
        if (call.ParseCopySource(out string bucketName) is { } invalid)
        {
            return (invalid, default);
        }

        Bucket? bucket = store.FindBucket(System.Text.Encoding.ASCII.GetBytes(bucketName));
        if (bucket is null)
        {
            return (S3Errors.NoSuchBucket, default);
        }

        ReadOnlyMemory<byte> record = await bucket.FindObjectAsync(call.CopySourceKeyMemory);
        return ObjectRecord.TryRead(record.Span, out _) ? (null, new CopySource(bucket, bucketName, record.ToArray())) : (S3Errors.NoSuchKey, default);
    }

    /// <summary>
    /// The x-amz-copy-source-if-* conditions and both SSE-C triples. Out come the source's data key
    /// (empty when it is plain; through the KMS when it is SSE-S3/KMS) and the record of its content
    /// headers (its sealed one, opened, when it is encrypted).
    /// </summary>
    internal static S3Error? CheckSource(S3Call call, CopySource source, out DataKey key, out byte[] headers)
    {
        key = default;
        headers = source.Record;
        ObjectRecord.TryRead(source.Record, out ObjectRecord record);
        Span<byte> etag = stackalloc byte[record.ETag.Length + 2];
        ETag.WriteQuoted(record.ETag, etag);
        if (Preconditions.EvaluateCopySource(call.Request.Headers, etag, record.LastModified) != Preconditions.Result.Proceed)
        {
            return S3Errors.PreconditionFailed;
        }

        if ((call.ParseCopySourceKey() ?? call.ParseCustomerKey()) is { } keyError)
        {
            return keyError;
        }

        if (!Encryption.UsesCustomerKey(record))
        {
            if (call.HasCopySourceKey)
            {
                return S3Errors.SseCNotApplicable;
            }

            if (!record.Has(RecordFlags.Encrypted))
            {
                return null;
            }

            if (Encryption.OpenServerSourceKey(call, record, source.BucketName, out key) is { } kmsError)
            {
                return kmsError;
            }
        }
        else if (!call.HasCopySourceKey)
        {
            return S3Errors.SseCRequired;
        }
        else if (!Encryption.TryOpenSourceKey(call, record, source.BucketName, out key))
        {
            // Rotating with the same (wrong) key on both sides is its own error, as in S3.
            return call.CopySourceKeyEqualsCustomerKey ? S3Errors.SseCKeyMismatchOnRotation : S3Errors.SseCWrongKey;
        }

        byte[]? opened = Encryption.OpenMetadata(key, record);
        if (opened is null || !ObjectRecord.TryRead(opened, out _))
        {
            key.Dispose();
            key = default;
            return S3Errors.ObjectTampered;
        }

        headers = opened;
        return null;
    }

    /// <summary>
    /// A reader of <paramref name="range"/> of the source's plaintext, decrypted under <paramref name="sourceKey"/>
    /// when it is SSE-C; null when the source was replaced meanwhile or its part table fails authentication.
    /// </summary>
    internal static async ValueTask<ContentReader?> OpenSourceAsync(S3Call call, CopySource source, DataKey sourceKey, ByteRange range)
    {
        StoredContent? content = await source.Bucket.OpenContentAsync(source.Record);
        if (content is null || (!sourceKey.IsEmpty && !content.IsAuthentic(sourceKey)))
        {
            return null;
        }

        try
        {
            return content.OpenReader(range, sourceKey, call.Keys);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Publishes <paramref name="resealed"/> (the copy's tags set) over the record it was made from,
    /// <paramref name="current"/>, only if that is still the record: one atomic write, so a crash
    /// leaves either record, and the data both name is never deleted.
    /// </summary>
    private static async ValueTask<S3Error?> RewrapAsync(S3Call call, Bucket bucket, byte[] current, byte[] resealed, byte[] tags)
    {
        ObjectRecord.TryRead(resealed, out ObjectRecord record);
        byte[] rewrapped = record.With(RecordField.Tags, tags);
        if (!(await bucket.ReplaceObjectRecordAsync(call.KeyMemory, current, rewrapped)).Applied)
        {
            return S3Errors.PreconditionFailed;
        }

        ObjectRecord.TryRead(rewrapped, out ObjectRecord written);
        ReadOnlySpan<byte> field = written.Field(RecordField.Encryption);
        Encryption.Echo(call, field);
        Encryption.EchoContext(call, field);
        WriteResult(call, null, "CopyObjectResult"u8, written.ETag, written.LastModified);
        return null;
    }

    private async ValueTask<S3Error?> CopyDataAsync(S3Call call, Bucket bucket, CopySource source, DataKey sourceKey, byte[]? copiedHeaders, byte[] tags)
    {
        ObjectRecord.TryRead(source.Record, out ObjectRecord sourceRecord);
        long size = sourceRecord.Size;
        if (Encryption.CreateKey(call, bucket, out NewDataKey created) is { } keyError)
        {
            return keyError;
        }

        using NewDataKey key = created;
        bool encrypted = !key.IsEmpty;
        call.Hasher.Begin(md5: key.ETagIsMd5, sha256: false, ChecksumAlgorithm.Crc64Nvme);
        using ContentReader? reader = size == 0 ? null : await OpenSourceAsync(call, source, sourceKey, new ByteRange(0, size));
        if (size > 0 && reader is null)
        {
            return S3Errors.NoSuchKey;
        }

        long stored = encrypted ? SegmentFormat.StoredSize(size) : size;
        if (NewRecords.ObjectDraft(call, key, copiedHeaders, tags, size, stored, out byte[] draft) is { } headerError)
        {
            return headerError;
        }

        using SegmentStreamEncryptor? encryptor = encrypted ? new SegmentStreamEncryptor(key.Key.Span, size) : null;
        Encryption.Echo(call, key.Field);
        Encryption.EchoContext(call, key.Field);

        await using KeepAlive keepAlive = KeepAlive.Start(call, options);
        await using NewObject data = bucket.CreateObject(call.KeyMemory, draft, stored, condition: null);
        ObjectCommit commit;
        try
        {
            await CopyIntoAsync(call, reader, data.Writer, encryptor);
            commit = await data.CommitAsync(NewRecords.ObjectFinish(call, key, data.Writer.Length));
            if (Put.Refused(call, commit) is { } refused)
            {
                await keepAlive.StopAsync();
                return keepAlive.Fail(refused);
            }
        }
        catch (Exception exception)
        {
            if (await keepAlive.ReportAsync(exception))
            {
                return null;
            }

            throw;
        }

        await keepAlive.StopAsync();
        ObjectRecord.TryRead(commit.Record, out ObjectRecord written);
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

/// <summary>The object x-amz-copy-source names: its bucket, the bucket's name (which the source's sealed key is bound to) and its record.</summary>
internal readonly record struct CopySource(Bucket Bucket, string BucketName, byte[] Record);
