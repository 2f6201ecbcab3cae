using System.Buffers;
using System.Runtime.CompilerServices;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// PutObject: checks the headers, starts the object with its record's draft, streams the body
/// (plain or aws-chunked) once through the hasher into it, verifies every declared digest, and only
/// then commits it (see <see cref="NewObject"/>), so a reader sees the old object or the new one and
/// a failed upload leaves nothing.
/// </summary>
public sealed class Put(Store store)
{
    /// <summary>S3's single-PUT limit.</summary>
    public const long MaxObjectSize = 5L * 1024 * 1024 * 1024;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> PutObjectAsync(S3Call call)
    {
        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
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

        if (Encryption.CreateKey(call, bucket, out NewDataKey created) is { } keyError)
        {
            return keyError;
        }

        // SSE-C and SSE-KMS objects get no content MD5 (their ETag must not reveal it) unless Content-MD5 asks for one.
        using NewDataKey key = created;
        bool encrypted = !key.IsEmpty;
        long declared = DeclaredLength(call);
        long stored = encrypted ? SegmentFormat.StoredSize(declared) : declared;
        if (NewRecords.ObjectDraft(call, key, copiedHeaders: null, tags, declared, stored, out byte[] draft) is { } headerError)
        {
            return headerError;
        }

        BodyHasher hasher = call.Hasher;
        hasher.Begin(call.Checksums, md5: key.ETagIsMd5, sha256: call.Signature.Payload == PayloadMode.Sha256);
        using SegmentStreamEncryptor? encryptor = encrypted ? new SegmentStreamEncryptor(key.Key.Span, declared) : null;
        await using NewObject data = bucket.CreateObject(call.KeyMemory, draft, stored, Preconditions.ForWrite(call.Request.Headers));
        await ReceiveBodyAsync(call, data.Writer, encryptor);
        if (VerifyBody(call) is { } mismatch)
        {
            return mismatch;
        }

        ObjectCommit commit = await data.CommitAsync(NewRecords.ObjectFinish(call, key, data.Writer.Length));
        if (Refused(call, commit) is { } refused)
        {
            return refused;
        }

        call.ObjectSize = hasher.Length;
        WriteWriteResponse(call, commit.Record!, key.Field, withChecksum: call.Checksums.Algorithm != ChecksumAlgorithm.None);
        Encryption.EchoContext(call, key.Field);
        return null;
    }

    /// <summary>Why an object's commit stored nothing (the body came short, the bucket went, a condition failed), or null when it stored it.</summary>
    internal static S3Error? Refused(S3Call call, in ObjectCommit commit) => commit.Result switch
    {
        ObjectCommitResult.Stored => null,
        ObjectCommitResult.Incomplete => S3Errors.IncompleteBody,
        ObjectCommitResult.BucketDeleted => S3Errors.NoSuchBucket,
        _ => commit.Current is null && call.Request.Headers.Contains("if-match"u8) ? S3Errors.NoSuchKey : S3Errors.PreconditionFailed,
    };

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
        if (EncryptionHeadersRefused(call) is { } sseError)
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

    /// <summary>The encryption checks every write shares: a copy-source key without a copy, a malformed SSE-C triple or SSE-S3/KMS header, two encryptions at once.</summary>
    internal static S3Error? EncryptionHeadersRefused(S3Call call)
    {
        if (call.Request.Headers.Contains("x-amz-copy-source-server-side-encryption-customer-algorithm"u8)
            || call.Request.Headers.Contains("x-amz-copy-source-server-side-encryption-customer-key"u8))
        {
            return S3Errors.SseCNotApplicable;
        }

        return call.ParseCustomerKey() ?? call.ParseServerSide();
    }

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
    /// The answer to a write of bytes (PutObject, UploadPart): the ETag of its <paramref name="record"/>,
    /// the echo of its <paramref name="encryption"/> (the object's, or the part's upload's, field), and
    /// the body checksum when <paramref name="withChecksum"/>.
    /// </summary>
    internal static void WriteWriteResponse(S3Call call, byte[] record, ReadOnlySpan<byte> encryption, bool withChecksum)
    {
        ObjectRecord.TryRead(record, out ObjectRecord written);
        Span<byte> etag = stackalloc byte[written.ETag.Length + 2];
        call.Response.Headers.Add("ETag"u8, etag[..ETag.WriteQuoted(written.ETag, etag)]);
        Encryption.Echo(call, encryption);

        if (withChecksum)
        {
            Span<byte> value = stackalloc byte[DigestBase64.MaxLength];
            call.Response.Headers.Add(call.Hasher.Algorithm.HeaderName, value[..call.Hasher.WriteChecksumBase64(value)]);
        }

        call.Response.ContentLength = 0;
    }
}
