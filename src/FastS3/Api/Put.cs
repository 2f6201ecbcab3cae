using System.Buffers;
using System.Runtime.CompilerServices;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// PutObject: streams the body (plain or aws-chunked) once through the hasher into a new data file,
/// verifies every declared digest, makes the file durable, and only then commits the object to the
/// index, so a reader sees the old object or the new one and a failed upload leaves nothing.
/// </summary>
public sealed class Put(Store store)
{
    /// <summary>S3's single-PUT limit.</summary>
    public const long MaxObjectSize = 5L * 1024 * 1024 * 1024;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> PutObjectAsync(S3Call call)
    {
        if (!call.TryResolveObject(store, out Bucket? bucket, out S3Error? missing))
        {
            return missing;
        }

        if (Validate(call) is { } invalid)
        {
            return invalid;
        }

        if (TagSet.ParseHeader(call.Request.Headers, out byte[] tags) is { } invalidTags)
        {
            return invalidTags;
        }

        // SSE-C objects get no content MD5 (their ETag must not reveal it) unless Content-MD5 asks for one.
        bool encrypted = call.HasCustomerKey;
        BodyHasher hasher = call.Hasher;
        hasher.Begin(call.Checksums, md5: !encrypted, sha256: call.Signature.Payload == PayloadMode.Sha256);
        long declared = DeclaredLength(call);
        using SegmentStreamEncryptor? encryptor = encrypted ? new SegmentStreamEncryptor(CreateObjectKey(call), declared) : null;
        await using NewObjectData data = NewObjectData.Create(bucket, encrypted ? SegmentFormat.StoredSize(declared) : declared);
        await ReceiveBodyAsync(call, data.Writer, encryptor);
        if (VerifyBody(call) is { } mismatch)
        {
            return mismatch;
        }

        if (!await data.CommitAsync())
        {
            return S3Errors.IncompleteBody;
        }

        byte[] record = BuildRecord(call, data, hasher.Length, encrypted, copiedDetails: null, out S3Error? headerError, tags: tags);
        if (headerError is not null)
        {
            data.Discard();
            return headerError;
        }

        // DeleteBucket may have removed the bucket while the data streamed in.
        if (bucket.IsDeleted)
        {
            data.Discard();
            return S3Errors.NoSuchBucket;
        }

        RecordWrite result = await data.PublishAsync(bucket.Objects.PutAsync(call.Key.ToArray(), record, Preconditions.ForWrite(call.Request.Headers)));
        if (!result.Applied)
        {
            data.Discard();
            return result.Previous is null && call.Request.Headers.Contains("if-match"u8) ? S3Errors.NoSuchKey : S3Errors.PreconditionFailed;
        }

        await bucket.DeleteDataOfAsync(result.Previous);
        call.ObjectSize = hasher.Length;
        WriteResponse(call);
        return null;
    }

    /// <summary>Draws a new SSE-C object's key into the call (and its record's encryption field); returns it.</summary>
    internal static byte[] CreateObjectKey(S3Call call)
    {
        Encryption.CreateObjectKey(call, call.EncryptionField);
        return call.ObjectKey;
    }

    /// <summary>
    /// Streams the request body (plain or aws-chunked, as signed) through the hasher into
    /// <paramref name="writer"/>, encrypting it on the way when <paramref name="encryptor"/> is given.
    /// The hasher must have been begun.
    /// </summary>
    internal static async ValueTask ReceiveBodyAsync(S3Call call, IObjectWriter writer, SegmentStreamEncryptor? encryptor)
    {
        if (call.Signature.IsStreaming)
        {
            call.Chunked.Start(call.Request.Body, call.Signature, DeclaredLength(call), call.Checksums.TrailerName);
        }

        while (true)
        {
            ReadOnlySequence<byte> piece = call.Signature.IsStreaming ? await call.Chunked.ReadAsync() : await call.Request.Body.ReadAsync();
            if (piece.IsEmpty)
            {
                break;
            }

            call.Hasher.Append(piece);
            foreach (ReadOnlyMemory<byte> segment in piece)
            {
                await (encryptor is null ? writer.WriteAsync(segment) : EncryptAsync(writer, encryptor, segment, final: false));
            }
        }

        if (encryptor is not null)
        {
            await EncryptAsync(writer, encryptor, ReadOnlyMemory<byte>.Empty, final: true);
        }
    }

    /// <summary>Length, size limit, SSE-C and checksum headers of a request that carries an object's (or a part's) bytes.</summary>
    internal static S3Error? Validate(S3Call call)
    {
        if (SseCHeadersRefused(call) is { } sseError)
        {
            return sseError;
        }

        // The size must be declared before the body is read (HTTP chunking alone declares none), so
        // that the limit holds as the bytes arrive: the transport stops at the Content-Length, the
        // aws-chunked reader at the decoded length.
        long declared = DeclaredLength(call);
        if (declared < 0)
        {
            return S3Errors.MissingContentLength;
        }

        if (declared > MaxObjectSize || call.Request.ContentLength > MaxObjectSize + (MaxObjectSize / 64))
        {
            return S3Errors.EntityTooLarge;
        }

        return call.Checksums.Parse(call.Request, trailers: call.Signature.Payload is PayloadMode.StreamingUnsignedTrailer or PayloadMode.StreamingSignedTrailer);
    }

    /// <summary>The SSE-C checks every write shares: a copy-source key without a copy, a malformed triple, two encryptions at once.</summary>
    internal static S3Error? SseCHeadersRefused(S3Call call)
    {
        if (call.Request.Headers.Contains("x-amz-copy-source-server-side-encryption-customer-algorithm"u8)
            || call.Request.Headers.Contains("x-amz-copy-source-server-side-encryption-customer-key"u8))
        {
            return S3Errors.SseCNotApplicable;
        }

        if (call.ParseCustomerKey() is { } error)
        {
            return error;
        }

        return ServerManagedEncryptionRefused(call);
    }

    /// <summary>
    /// SSE-S3 and SSE-KMS do not exist yet: a request for them is refused, never stored in plaintext
    /// as if it had not asked (beside SSE-C it is the two-encryptions error S3 gives).
    /// </summary>
    internal static S3Error? ServerManagedEncryptionRefused(S3Call call)
        => !SseC.ServerManagedRequested(call.Request.Headers) ? null
            : call.HasCustomerKey ? S3Errors.SseCIncompatible
            : S3Errors.ServerManagedEncryptionUnavailable;

    /// <summary>X-Amz-Decoded-Content-Length for aws-chunked bodies, else the Content-Length; -1 if absent.</summary>
    private static long DeclaredLength(S3Call call)
    {
        if (!call.Signature.IsStreaming)
        {
            return call.Request.ContentLength;
        }

        return call.Request.Headers.TryGetValue("x-amz-decoded-content-length"u8, out ReadOnlySpan<byte> value)
            && System.Buffers.Text.Utf8Parser.TryParse(value, out long length, out int consumed) && consumed == value.Length && length >= 0
            ? length
            : -1;
    }

    internal static S3Error? VerifyBody(S3Call call)
    {
        if (call.Checksums.IsTrailer)
        {
            bool found = call.Chunked.TryGetTrailer(call.Checksums.TrailerName, out ReadOnlySpan<byte> value);
            if (call.Checksums.SetTrailerChecksum(found, value) is { } trailerError)
            {
                return trailerError;
            }
        }

        call.Hasher.Finish();
        return call.Hasher.Verify(call.Checksums, call.Signature.SignedPayloadSha256);
    }

    /// <summary>Encrypts plaintext into the writer's blocks, segment by segment, as the blocks have room.</summary>
    internal static async ValueTask EncryptAsync(IObjectWriter writer, SegmentStreamEncryptor encryptor, ReadOnlyMemory<byte> plaintext, bool final)
    {
        while (true)
        {
            OperationStatus status = encryptor.Encrypt(plaintext.Span, writer.GetMemory().Span, final, out int consumed, out int written);
            plaintext = plaintext[consumed..];
            await writer.AdvanceAsync(written);
            if (status == OperationStatus.Done || (status == OperationStatus.NeedMoreData && !final))
            {
                return;
            }
        }
    }

    /// <summary>
    /// The object's record. For SSE-C objects only sizes, times, the (random) ETag and the sealed key
    /// stay readable: content headers, user metadata and the checksum are sealed under the object key.
    /// A multipart part's record (<paramref name="isPart"/>) holds its ETag and checksum only: the
    /// headers and sealed key belong to its upload. <paramref name="tags"/> (stored form) stay in the
    /// clear, as tags are not content.
    /// </summary>
    internal static byte[] BuildRecord(S3Call call, NewObjectData data, long size, bool encrypted, byte[]? copiedDetails, out S3Error? error, bool isPart = false, ReadOnlySpan<byte> tags = default)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        if (encrypted)
        {
            EncryptedETag.Create(call.ObjectKey, call.ETagHex);
        }
        else
        {
            Hex.Encode(call.Hasher.Md5, call.ETagHex);
        }

        var record = new ObjectRecord.Builder((byte)(encrypted ? RecordFlags.SseC : RecordFlags.None), data.DataId, size, data.Writer.Length, now);
        var details = new ObjectRecord.Builder(0, Guid.Empty, size, size, now);
        try
        {
            record.Add(RecordField.ETag, call.ETagHex);
            record.AddIfPresent(RecordField.Tags, tags);
            record.AddIfPresent(RecordField.InlineData, data.InlineData);
            Span<byte> checksum = stackalloc byte[StoredChecksum.MaxLength];
            checksum = checksum[..StoredChecksum.Write(call.Hasher.Algorithm, ChecksumType.FullObject, 0, call.Hasher.Checksum, checksum)];
            error = null;
            if (!encrypted)
            {
                record.Add(RecordField.Checksum, checksum);
                error = isPart ? null : Headers(call, copiedDetails, ref record);
                return record.Written.ToArray();
            }

            // A part's sealed key is its upload's; only its checksum is sealed with it.
            if (!isPart)
            {
                record.Add(RecordField.Encryption, call.EncryptionField);
                error = Headers(call, copiedDetails, ref details);
            }

            details.Add(RecordField.Checksum, checksum);
            Encryption.SealMetadata(call, details.Written, ref record);
            return record.Written.ToArray();
        }
        finally
        {
            details.Dispose();
            record.Dispose();
        }
    }

    // The request's headers, or (CopyObject with COPY) the source object's.
    private static S3Error? Headers(S3Call call, byte[]? copiedDetails, ref ObjectRecord.Builder record)
    {
        if (copiedDetails is null)
        {
            return ObjectHeaders.Capture(call.Request.Headers, ref record);
        }

        ObjectRecord.TryRead(copiedDetails, out ObjectRecord source);
        ObjectHeaders.CopyFrom(source, ref record);
        return null;
    }

    private static void WriteResponse(S3Call call) => WriteWriteResponse(call, call.Checksums.Algorithm != ChecksumAlgorithm.None);

    /// <summary>The answer to a write of bytes (PutObject, UploadPart): ETag, SSE-C echo, and the body checksum when <paramref name="withChecksum"/>.</summary>
    internal static void WriteWriteResponse(S3Call call, bool withChecksum)
    {
        Span<byte> etag = stackalloc byte[34];
        call.Response.Headers.Add("ETag"u8, etag[..ETag.WriteQuoted(call.ETagHex, etag)]);
        if (call.HasCustomerKey)
        {
            SseC.Echo(call.Response, call.CustomerKeyMd5);
        }

        if (withChecksum)
        {
            Span<byte> value = stackalloc byte[DigestBase64.MaxLength];
            call.Response.Headers.Add(call.Hasher.Algorithm.HeaderName, value[..call.Hasher.WriteChecksumBase64(value)]);
        }

        call.Response.ContentLength = 0;
    }
}
