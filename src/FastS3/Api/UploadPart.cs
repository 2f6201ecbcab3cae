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
        if (!call.TryResolveObject(store, out Bucket? bucket, out S3Error? missing))
        {
            return missing;
        }

        if (Open(call, bucket, out byte[] uploadId, out byte[] uploadKey, out byte[] upload, out int partNumber, out ChecksumAlgorithm algorithm) is { } refused)
        {
            return refused;
        }

        if (Put.Validate(call) is { } invalid)
        {
            return invalid;
        }

        ObjectRecord.TryRead(upload, out ObjectRecord uploadRecord);
        if (Multipart.OpenUploadKey(call, uploadRecord) is { } keyError)
        {
            return keyError;
        }

        // Every part carries the upload's checksum; a part may not bring another algorithm.
        if (algorithm != ChecksumAlgorithm.None && call.Checksums.Algorithm != ChecksumAlgorithm.None && call.Checksums.Algorithm != algorithm)
        {
            return S3Errors.PartChecksumAlgorithmMismatch;
        }

        ChecksumAlgorithm computed = call.Checksums.Algorithm != ChecksumAlgorithm.None ? call.Checksums.Algorithm : algorithm != ChecksumAlgorithm.None ? algorithm : ChecksumAlgorithm.Crc64Nvme;
        bool encrypted = call.HasCustomerKey;
        call.Hasher.Begin(md5: !encrypted || call.Checksums.HasContentMd5, sha256: call.Signature.Payload == PayloadMode.Sha256, computed);
        using SegmentStreamEncryptor? encryptor = encrypted ? CreateEncryptor(call, partNumber) : null;
        await using NewObjectData data = NewObjectData.CreateFile(bucket);
        await Put.ReceiveBodyAsync(call, data.Writer, encryptor);
        if (Put.VerifyBody(call) is { } mismatch)
        {
            return mismatch;
        }

        await data.CommitAsync();
        if (await data.PublishAsync(CommitAsync(call, bucket, uploadId, uploadKey, partNumber, data)) is { } gone)
        {
            data.Discard();
            return gone;
        }

        Put.WriteWriteResponse(call, withChecksum: call.Checksums.Algorithm != ChecksumAlgorithm.None || algorithm != ChecksumAlgorithm.None);
        return null;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> UploadPartCopyAsync(S3Call call)
    {
        if (!call.TryResolveObject(store, out Bucket? bucket, out S3Error? missing))
        {
            return missing;
        }

        if (Open(call, bucket, out byte[] uploadId, out byte[] uploadKey, out byte[] upload, out int partNumber, out ChecksumAlgorithm algorithm) is { } refused)
        {
            return refused;
        }

        if (!Copy.TryResolveSource(call, store, out Bucket? sourceBucket, out string sourceBucketName, out byte[]? sourceValue, out S3Error? sourceError))
        {
            return sourceError;
        }

        ObjectRecord.TryRead(sourceValue, out ObjectRecord source);
        if (Copy.CheckSource(call, source, sourceBucketName, sourceValue, out _) is { } sourceRefused)
        {
            return sourceRefused;
        }

        ObjectRecord.TryRead(upload, out ObjectRecord uploadRecord);
        if (Multipart.OpenUploadKey(call, uploadRecord) is { } keyError)
        {
            return keyError;
        }

        if (ParseCopyRange(call, source.Size, out ByteRange range) is { } rangeError)
        {
            return rangeError;
        }

        if (range.Length > Put.MaxObjectSize)
        {
            return S3Errors.EntityTooLarge;
        }

        bool encrypted = call.HasCustomerKey;
        call.Hasher.Begin(md5: !encrypted, sha256: false, algorithm != ChecksumAlgorithm.None ? algorithm : ChecksumAlgorithm.Crc64Nvme);
        using ContentReader? reader = range.Length == 0 ? null : await Copy.OpenSourceAsync(call, sourceBucket, sourceValue, range);
        if (range.Length > 0 && reader is null)
        {
            return S3Errors.NoSuchKey;
        }

        using SegmentStreamEncryptor? encryptor = encrypted ? CreateEncryptor(call, partNumber) : null;
        if (encrypted)
        {
            SseC.Echo(call.Response, call.CustomerKeyMd5);
        }

        await using KeepAlive keepAlive = KeepAlive.Start(call, options);
        await using NewObjectData data = NewObjectData.CreateFile(bucket);
        S3Error? gone;
        try
        {
            await Copy.CopyIntoAsync(call, reader, data.Writer, encryptor);
            await data.CommitAsync();
            gone = await data.PublishAsync(CommitAsync(call, bucket, uploadId, uploadKey, partNumber, data));
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

        Copy.WriteResult(call, keepAlive, "CopyPartResult"u8, call.ETagHex, DateTimeOffset.UtcNow);
        return null;
    }

    /// <summary>The checks both part writes start with: the upload exists, the part number is valid; out come the upload's record and checksum algorithm.</summary>
    private static S3Error? Open(S3Call call, Bucket bucket, out byte[] uploadId, out byte[] uploadKey, out byte[] upload, out int partNumber, out ChecksumAlgorithm algorithm)
    {
        algorithm = ChecksumAlgorithm.None;
        partNumber = 0;
        if (Multipart.FindUpload(call, bucket, out uploadId, out uploadKey, out byte[]? found) is { } notFound)
        {
            upload = [];
            return notFound;
        }

        upload = found!;

        if (!Multipart.TryGetPartNumber(call, out partNumber, out S3Error? invalid) || partNumber == 0)
        {
            return invalid ?? S3Errors.InvalidPartNumberArgument;
        }

        ObjectRecord.TryRead(upload, out ObjectRecord record);
        algorithm = Multipart.DeclaredChecksum(record).Algorithm;
        return null;
    }

    /// <summary>Part <paramref name="partNumber"/>'s stream encryptor, under its key derived from the upload's object key (opened into the call).</summary>
    private static SegmentStreamEncryptor CreateEncryptor(S3Call call, int partNumber)
    {
        ObjectKey.DerivePartKey(call.ObjectKey, partNumber, call.PartKey);
        return new SegmentStreamEncryptor(call.PartKey);
    }

    /// <summary>
    /// Records the part, under the upload's gate: NoSuchUpload if the upload was completed or aborted
    /// while the bytes streamed in. A part it replaces has its data deleted.
    /// </summary>
    private static async ValueTask<S3Error?> CommitAsync(S3Call call, Bucket bucket, byte[] uploadId, byte[] uploadKey, int partNumber, NewObjectData data)
    {
        byte[] record = Put.BuildRecord(call, data, call.Hasher.Length, call.HasCustomerKey, copiedDetails: null, out _, isPart: true);
        if (call.HasCustomerKey)
        {
            // Made now, while the key is here: S3 lets the Complete come without it.
            Span<byte> input = stackalloc byte[PartTable.PartMacInputSize];
            Span<byte> mac = stackalloc byte[PartTable.MacSize];
            PartTable.WritePartMacInput(uploadId, new PartEntry(partNumber, data.DataId, call.Hasher.Length, data.Writer.Length), input);
            ObjectKey.MacPart(call.ObjectKey, input, mac);
            ObjectRecord.TryRead(record, out ObjectRecord part);
            record = part.With(RecordField.PartMac, mac);
        }

        SemaphoreSlim gate = bucket.Uploads.Gate(uploadId);
        await gate.WaitAsync();
        try
        {
            if (bucket.IsDeleted || !bucket.Uploads.Records.TryGet(uploadKey, out _))
            {
                return S3Errors.NoSuchUpload;
            }

            RecordWrite result = await bucket.Uploads.Records.PutAsync(MultipartUploads.PartKey(uploadId, partNumber), record);
            if (result.Previous is not null && ObjectRecord.TryRead(result.Previous, out ObjectRecord replaced) && replaced.DataId != Guid.Empty)
            {
                bucket.DeleteData(replaced.DataId);
            }
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
