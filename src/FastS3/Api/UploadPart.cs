using System.Buffers.Text;
using System.Runtime.CompilerServices;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// UploadPart and UploadPartCopy: a part's bytes, from the request body or from a range of another
/// object, stream into a data file of their own (SSE-C parts encrypted under their part key), are
/// verified and made durable, and only then recorded in the upload; re-sending a part number
/// replaces the part. A part that lands after its upload was completed or aborted is thrown away.
/// </summary>
public sealed class UploadPart(Store store, S3Options options)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> UploadPartAsync(S3Call call)
    {
        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
        {
            return missing;
        }

        if ((Open(call, bucket, out TargetPart part) ?? Put.Validate(call)) is { } refused)
        {
            return refused;
        }

        ObjectRecord.TryRead(part.Upload.Record, out ObjectRecord upload);
        if (Multipart.OpenUploadKey(call, upload, out DataKey opened) is { } keyError)
        {
            return keyError;
        }

        using DataKey uploadKey = opened;

        // Every part carries the upload's checksum; a part may not bring another algorithm.
        ChecksumAlgorithm declared = part.DeclaredChecksum;
        if (declared != ChecksumAlgorithm.None && call.Checksums.Algorithm != ChecksumAlgorithm.None && call.Checksums.Algorithm != declared)
        {
            return S3Errors.PartChecksumAlgorithmMismatch;
        }

        ChecksumAlgorithm computed = call.Checksums.Algorithm != ChecksumAlgorithm.None ? call.Checksums.Algorithm : declared != ChecksumAlgorithm.None ? declared : ChecksumAlgorithm.Crc64Nvme;
        bool md5ETag = Encryption.ETagIsMd5(upload);
        call.Hasher.Begin(md5: md5ETag || call.Checksums.HasContentMd5, sha256: call.Signature.Payload == PayloadMode.Sha256, computed);
        using SegmentStreamEncryptor? encryptor = CreateEncryptor(call, uploadKey, part.Number);
        await using NewObjectData data = NewObjectData.CreateFile(bucket);
        await Put.ReceiveBodyAsync(call, data.Writer, encryptor);
        if (Put.VerifyBody(call) is { } mismatch)
        {
            return mismatch;
        }

        await data.CommitAsync();
        byte[] record = NewRecords.Part(call, data, uploadKey, md5ETag, part.Upload.Id, part.Number);
        if (await data.PublishAsync(CommitAsync(bucket, part, record)) is { } gone)
        {
            data.Discard();
            return gone;
        }

        Put.WriteWriteResponse(call, record, ObjectRecord.FieldMemory(part.Upload.Record, RecordField.Encryption).Span, withChecksum: call.Checksums.Algorithm != ChecksumAlgorithm.None || declared != ChecksumAlgorithm.None);
        return null;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> UploadPartCopyAsync(S3Call call)
    {
        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
        {
            return missing;
        }

        if (Open(call, bucket, out TargetPart part) is { } refused)
        {
            return refused;
        }

        (S3Error? sourceError, CopySource source) = await Copy.ResolveSourceAsync(call, store);
        if (sourceError is not null)
        {
            return sourceError;
        }

        if (Copy.CheckSource(call, source, out DataKey openedSource, out _) is { } sourceRefused)
        {
            return sourceRefused;
        }

        using DataKey sourceKey = openedSource;
        ObjectRecord.TryRead(part.Upload.Record, out ObjectRecord upload);
        if (Multipart.OpenUploadKey(call, upload, out DataKey opened) is { } keyError)
        {
            return keyError;
        }

        using DataKey uploadKey = opened;
        ObjectRecord.TryRead(source.Record, out ObjectRecord sourceRecord);
        if (ParseCopyRange(call, sourceRecord.Size, out ByteRange range) is { } rangeError)
        {
            return rangeError;
        }

        if (range.Length > Put.MaxObjectSize)
        {
            return S3Errors.EntityTooLarge;
        }

        call.Hasher.Begin(md5: Encryption.ETagIsMd5(upload), sha256: false, part.DeclaredChecksum != ChecksumAlgorithm.None ? part.DeclaredChecksum : ChecksumAlgorithm.Crc64Nvme);
        using ContentReader? reader = range.Length == 0 ? null : await Copy.OpenSourceAsync(call, source, sourceKey, range);
        if (range.Length > 0 && reader is null)
        {
            return S3Errors.NoSuchKey;
        }

        using SegmentStreamEncryptor? encryptor = CreateEncryptor(call, uploadKey, part.Number);
        Encryption.Echo(call, ObjectRecord.FieldMemory(part.Upload.Record, RecordField.Encryption).Span);

        await using KeepAlive keepAlive = KeepAlive.Start(call, options);
        await using NewObjectData data = NewObjectData.CreateFile(bucket);
        byte[] record;
        S3Error? gone;
        try
        {
            await Copy.CopyIntoAsync(call, reader, data.Writer, encryptor);
            await data.CommitAsync();
            record = NewRecords.Part(call, data, uploadKey, Encryption.ETagIsMd5(part.Upload.Record), part.Upload.Id, part.Number);
            gone = await data.PublishAsync(CommitAsync(bucket, part, record));
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
        if (gone is not null)
        {
            data.Discard();
            return keepAlive.Fail(gone);
        }

        ObjectRecord.TryRead(record, out ObjectRecord written);
        Copy.WriteResult(call, keepAlive, "CopyPartResult"u8, written.ETag, written.LastModified);
        return null;
    }

    /// <summary>The part a write targets: its upload, its number, and the checksum algorithm the upload declared (None when none).</summary>
    private readonly record struct TargetPart(FoundUpload Upload, int Number, ChecksumAlgorithm DeclaredChecksum);

    /// <summary>The checks both part writes start with: the upload exists, the part number is valid.</summary>
    private static S3Error? Open(S3Call call, Bucket bucket, out TargetPart part)
    {
        part = default;
        if (Multipart.FindUpload(call, bucket, out FoundUpload upload) is { } notFound)
        {
            return notFound;
        }

        if (Multipart.PartNumberOf(call, out int partNumber) is { } invalid)
        {
            return invalid;
        }

        if (partNumber == 0)
        {
            return S3Errors.InvalidPartNumberArgument;
        }

        ObjectRecord.TryRead(upload.Record, out ObjectRecord record);
        part = new TargetPart(upload, partNumber, Multipart.DeclaredChecksum(record).Algorithm);
        return null;
    }

    /// <summary>The part's stream encryptor, under its part key derived from the upload's data key; null for a plain upload.</summary>
    private static SegmentStreamEncryptor? CreateEncryptor(S3Call call, DataKey uploadKey, int partNumber)
    {
        if (uploadKey.IsEmpty)
        {
            return null;
        }

        using DataKey partKey = call.Keys.Take();
        ObjectKey.DerivePartKey(uploadKey.Span, partNumber, partKey.Writable);
        return new SegmentStreamEncryptor(partKey.Span);
    }

    /// <summary>
    /// Records the part, under the upload's gate: NoSuchUpload if the upload was completed or aborted
    /// while the bytes streamed in. A part it replaces has its data deleted.
    /// </summary>
    private static async ValueTask<S3Error?> CommitAsync(Bucket bucket, TargetPart part, byte[] record)
    {
        SemaphoreSlim gate = bucket.Uploads.Gate(part.Upload.Id);
        await gate.WaitAsync();
        try
        {
            if (bucket.IsDeleted || !bucket.Uploads.Records.TryGet(part.Upload.RecordKey, out _))
            {
                return S3Errors.NoSuchUpload;
            }

            RecordWrite result = await bucket.Uploads.Records.PutAsync(MultipartUploads.PartKey(part.Upload.Id, part.Number), record);
            await bucket.DeleteDataOfAsync(result.Previous);
        }
        finally
        {
            gate.Release();
        }

        return null;
    }

    /// <summary>x-amz-copy-source-range "bytes=first-last" within the source; absent means the whole source.</summary>
    private static S3Error? ParseCopyRange(S3Call call, long sourceSize, out ByteRange range)
    {
        range = new ByteRange(0, sourceSize);
        if (!call.Request.Headers.TryGetValue("x-amz-copy-source-range"u8, out ReadOnlySpan<byte> value))
        {
            return null;
        }

        if (!value.StartsWith("bytes="u8))
        {
            return S3Errors.InvalidCopySourceRange;
        }

        value = value[6..];
        int dash = value.IndexOf((byte)'-');
        if (dash <= 0
            || !Utf8Parser.TryParse(value[..dash], out long first, out int consumed) || consumed != dash
            || !Utf8Parser.TryParse(value[(dash + 1)..], out long last, out consumed) || consumed != value.Length - dash - 1
            || first < 0 || last < first)
        {
            return S3Errors.InvalidCopySourceRange;
        }

        if (last >= sourceSize)
        {
            return S3Errors.CopySourceRangeOutside;
        }

        range = new ByteRange(first, last - first + 1);
        return null;
    }
}
