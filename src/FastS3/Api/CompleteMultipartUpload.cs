using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Crypto;
using FastS3.Http;
using FastS3.Storage;
using FastS3.Xml;

namespace FastS3.Api;

/// <summary>
/// CompleteMultipartUpload: checks the client's part list against the uploaded parts (order,
/// ETags, checksums, sizes), writes the part table (the parts stay where they are: nothing is
/// copied), commits the object together with the record of the completion, then forgets the
/// upload. The object ETag is hex(MD5(part ETags))-N; the checksum is COMPOSITE or FULL_OBJECT as
/// the upload declared. A crash after the commit is finished off at start-up
/// (<see cref="MultipartUploads.RecoverAsync"/>), so the key holds the old object or the new one,
/// and the upload is gone exactly when the object was committed. The same Complete sent again
/// gets the same answer for a while (<see cref="CompletedUploads"/>), as on S3: a client whose
/// answer was lost retries.
/// </summary>
public sealed class CompleteMultipartUpload(Store store, S3Options options)
{
    /// <summary>S3's minimum size of every part but the last.</summary>
    public const long MinPartSize = 5L * 1024 * 1024;

    /// <summary>S3's largest object.</summary>
    public const long MaxObjectSize = 5L * 1024 * 1024 * 1024 * 1024;


    internal readonly record struct RequestedPart(int Number, byte[] ETag, ChecksumAlgorithm Algorithm, byte[]? Checksum);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> CompleteAsync(S3Call call)
    {
        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
        {
            return missing;
        }

        if (!Multipart.TryGetUploadId(call, out byte[] uploadId))
        {
            return S3Errors.NoSuchUpload;
        }

        if (call.ParseCustomerKey() is { } keyError)
        {
            return keyError;
        }

        var body = new ArrayBufferWriter<byte>();
        await call.Request.Body.ReadToEndAsync(body, RequestXml.MaxBodySize);
        if (call.Signature.Payload == PayloadMode.Sha256 && !SHA256.HashData(body.WrittenSpan).AsSpan().SequenceEqual(call.Signature.PayloadSha256))
        {
            return S3Errors.XAmzContentSHA256Mismatch;
        }

        if (!TryParse(body.WrittenMemory, out List<RequestedPart> requested))
        {
            return S3Errors.MalformedXML;
        }

        if (KeepLastOfEachNumber(requested) is { } orderError)
        {
            return orderError;
        }

        byte[] uploadKey = MultipartUploads.UploadKey(call.Key, uploadId);
        EchoServerSide(call, bucket, uploadKey, uploadId);
        await using KeepAlive keepAlive = KeepAlive.Start(call, options);
        S3Error? error;
        Completed completed = default;
        SemaphoreSlim gate = bucket.Uploads.Gate(uploadId);
        await gate.WaitAsync();
        try
        {
            (error, completed) = await CompleteUnderGateAsync(call, bucket, uploadId, uploadKey, requested);
        }
        catch (Exception exception)
        {
            if (await keepAlive.ReportAsync(exception))
            {
                return null;
            }

            throw;
        }
        finally
        {
            gate.Release();
        }

        await keepAlive.StopAsync();
        if (error is not null)
        {
            return keepAlive.Fail(error);
        }

        WriteResult(call, keepAlive, completed);
        return null;
    }

    /// <summary>
    /// An SSE-S3/KMS upload's mode, echoed as S3 echoes it on Complete; now, as the keep-alive may
    /// send the headers before the work is done.
    /// </summary>
    private static void EchoServerSide(S3Call call, Bucket bucket, byte[] uploadKey, byte[] uploadId)
    {
        if ((bucket.Uploads.Records.TryGet(uploadKey, out byte[]? record) || bucket.CompletedUploads.TryGet(uploadId, call.Key, out record))
            && ObjectRecord.TryRead(record, out ObjectRecord read) && read.Has(RecordFlags.Encrypted) && !Encryption.UsesCustomerKey(read))
        {
            Encryption.Echo(call, read.Field(RecordField.Encryption));
        }
    }

    /// <summary>What the answer reports.</summary>
    private readonly record struct Completed(byte[] ETag, byte[]? Checksum);

    private static async ValueTask<(S3Error?, Completed)> CompleteUnderGateAsync(S3Call call, Bucket bucket, byte[] uploadId, byte[] uploadKey, List<RequestedPart> requested)
    {
        if (!bucket.Uploads.Records.TryGet(uploadKey, out byte[]? uploadValue) || !ObjectRecord.TryRead(uploadValue, out ObjectRecord upload))
        {
            return AnswerAgain(call, bucket, uploadId, requested);
        }

        bool encrypted = upload.Has(RecordFlags.Encrypted);
        (ChecksumAlgorithm algorithm, ChecksumType type) = Multipart.DeclaredChecksum(upload);
        bool declared = algorithm != ChecksumAlgorithm.None;
        bool keyless = Encryption.UsesCustomerKey(upload) && !call.HasCustomerKey;
        DataKey opened = default;
        if ((keyless ? KeylessRefused(call, declared, requested) : Multipart.OpenUploadKey(call, upload, out opened)) is { } keyError)
        {
            return (keyError, default);
        }

        using DataKey key = opened;
        if (CollectParts(call, bucket, uploadId, requested, algorithm, key, out CollectedParts collected) is { } partError)
        {
            return (partError, default);
        }

        PartEntry[] parts = collected.Entries;
        ChecksumAlgorithm partAlgorithm = collected.Algorithm;

        // The upload's checksum. With none declared, parts carry the CRC64NVME S3 computes anyway, or
        // the CRC their client sent: when all parts share one CRC, it combines into the object's.
        if (algorithm == ChecksumAlgorithm.None && partAlgorithm.IsCrc)
        {
            algorithm = partAlgorithm;
            type = ChecksumType.FullObject;
        }

        byte[]? checksum = algorithm == ChecksumAlgorithm.None ? null : ObjectChecksum(algorithm, type, parts, collected.Checksums);
        if (checksum is not null && VerifyExpected(call, algorithm, StoredChecksum.DigestOf(checksum)) is { } mismatch)
        {
            return (mismatch, default);
        }

        // ETag: hex(MD5(the raw part ETags)) + "-N".
        byte[] etag = new byte[32 + 1 + 5];
        Hex.Encode(MD5.HashData(collected.ETags), etag);
        etag[32] = (byte)'-';
        System.Buffers.Text.Utf8Formatter.TryFormat(parts.Length, etag.AsSpan(33), out int digits);
        etag = etag[..(33 + digits)];

        await using NewObjectData table = NewObjectData.CreateFile(bucket);
        await table.Writer.WriteAsync(keyless
            ? PartTable.Build(uploadId, parts, partMacs: collected.Macs)
            : PartTable.Build(uploadId, parts, encrypted ? (t, mac) => ObjectKey.MacPartTable(key.Span, t, mac) : null));
        await table.CommitAsync();
        if ((BuildRecord(uploadValue, key, table.DataId, parts, etag, checksum, out byte[] record) ?? (bucket.IsDeleted ? S3Errors.NoSuchBucket : null)) is { } refused)
        {
            table.Discard();
            return (refused, default);
        }

        RecordWrite result = await table.PublishAsync(
            bucket.CompletedUploads.PublishAsync(call.Key.ToArray(), uploadId, record, PartListDigest(requested), checksumDeclared: declared, Preconditions.ForWrite(call.Request.Headers)));
        if (!result.Applied)
        {
            table.Discard();
            return (result.Previous is null && call.Request.Headers.Contains("if-match"u8) ? S3Errors.NoSuchKey : S3Errors.PreconditionFailed, default);
        }

        await bucket.DeleteDataOfAsync(result.Previous);
        await bucket.Uploads.RemoveAsync(bucket, uploadKey, uploadId, keep: parts);
        await bucket.CompletedUploads.SweepIfDueAsync(bucket.Uploads);
        return (null, new Completed(etag, checksum));
    }

    /// <summary>
    /// A Complete of an upload that is gone: if the bucket completed it lately, with this part list,
    /// the answer it gave then (checked as then: the SSE-C key, the expected checksum; conditions
    /// not again, since the object they held for may since have changed, and S3 answers 200 still).
    /// Another part list names parts the upload no longer has.
    /// </summary>
    private static (S3Error?, Completed) AnswerAgain(S3Call call, Bucket bucket, byte[] uploadId, List<RequestedPart> requested)
    {
        if (!bucket.CompletedUploads.TryGet(uploadId, call.Key, out byte[]? value) || !ObjectRecord.TryRead(value, out ObjectRecord completion))
        {
            return (S3Errors.NoSuchUpload, default);
        }

        // Sent again without the key, the answer is what a Complete without it gives: no sealed checksum.
        bool keyless = Encryption.UsesCustomerKey(completion) && !call.HasCustomerKey;
        DataKey opened = default;
        if ((keyless ? KeylessRefused(call, completion.Has(RecordFlags.ChecksumDeclared), requested) : Multipart.OpenUploadKey(call, completion, out opened)) is { } keyError)
        {
            return (keyError, default);
        }

        using DataKey key = opened;

        if (!completion.Field(RecordField.CompletedParts).SequenceEqual(PartListDigest(requested)))
        {
            return (S3Errors.InvalidPart, default);
        }

        ReadOnlySpan<byte> checksum = keyless ? default : Multipart.ChecksumOf(key, completion, out _);
        if (!checksum.IsEmpty && VerifyExpected(call, StoredChecksum.AlgorithmOf(checksum), StoredChecksum.DigestOf(checksum)) is { } mismatch)
        {
            return (mismatch, default);
        }

        return (null, new Completed(completion.ETag.ToArray(), checksum.IsEmpty ? null : checksum.ToArray()));
    }

    /// <summary>
    /// A Complete of an SSE-C upload may come without the key, as on S3 (the MinIO SDK sends none),
    /// unless a checksum is involved: the parts' checksums are sealed under the object key, so an
    /// upload that declared one, a part list that gives them, or an expected object checksum needs it.
    /// </summary>
    private static S3Error? KeylessRefused(S3Call call, bool declared, List<RequestedPart> requested)
    {
        if (declared || requested.Exists(part => part.Checksum is not null))
        {
            return S3Errors.SseCUploadKeyRequired;
        }

        foreach (HttpHeader header in call.Request.Headers)
        {
            if (ChecksumAlgorithmExtensions.TryParseHeaderName(header.Name, out _))
            {
                return S3Errors.SseCUploadKeyRequired;
            }
        }

        return null;
    }

    /// <summary>What a Complete sent again must repeat: SHA-256 over each part's number and ETag (lower-cased when parsed).</summary>
    private static byte[] PartListDigest(List<RequestedPart> parts)
    {
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> header = stackalloc byte[8];
        foreach (RequestedPart part in parts)
        {
            BinaryPrimitives.WriteInt32BigEndian(header, part.Number);
            BinaryPrimitives.WriteInt32BigEndian(header[4..], part.ETag.Length);
            digest.AppendData(header);
            digest.AppendData(part.ETag);
        }

        return digest.GetHashAndReset();
    }

    /// <summary>
    /// The part list must ascend by part number. A number listed again right after itself is a part
    /// sent twice: the later entry stands, as RGW reads the list, since a client that records every
    /// answer of a re-sent part (S3's conformance tests do) lists them in the order they finished.
    /// </summary>
    private static S3Error? KeepLastOfEachNumber(List<RequestedPart> parts)
    {
        int kept = 0;
        for (int i = 0; i < parts.Count; i++)
        {
            int previous = kept > 0 ? parts[kept - 1].Number : 0;
            if (parts[i].Number < previous)
            {
                return S3Errors.InvalidPartOrder;
            }

            if (parts[i].Number == previous)
            {
                kept--;
            }

            parts[kept++] = parts[i];
        }

        parts.RemoveRange(kept, parts.Count - kept);
        return null;
    }

    /// <summary>
    /// The uploaded parts a Complete names: the table entries, the raw part ETags and the raw part
    /// checksums (of <see cref="Algorithm"/>, when all parts share one), each concatenated, and for
    /// an SSE-C Complete without the key the parts' MACs.
    /// </summary>
    private readonly record struct CollectedParts(PartEntry[] Entries, byte[] ETags, byte[] Checksums, ChecksumAlgorithm Algorithm, byte[] Macs);

    /// <summary>
    /// Matches the requested parts with the uploaded ones: each must exist with the ETag given (and
    /// the checksum, when one is given; sealed ones open under <paramref name="key"/>), every part
    /// but the last must be at least 5 MiB, and the whole at most 5 TiB. An SSE-C part without a MAC
    /// (uploaded before parts had them) cannot be completed without the key.
    /// </summary>
    private static S3Error? CollectParts(S3Call call, Bucket bucket, byte[] uploadId, List<RequestedPart> requested, ChecksumAlgorithm declared, DataKey key, out CollectedParts collected)
    {
        collected = default;
        var parts = new PartEntry[requested.Count];
        byte[] partETags = new byte[requested.Count * 16];
        byte[] partMacs = [];
        ChecksumAlgorithm partAlgorithm = ChecksumAlgorithm.None;
        var checksums = new ArrayBufferWriter<byte>();
        long total = 0;
        for (int i = 0; i < requested.Count; i++)
        {
            RequestedPart wanted = requested[i];
            if (!bucket.Uploads.Records.TryGet(MultipartUploads.PartKey(uploadId, wanted.Number), out byte[]? value)
                || !ObjectRecord.TryRead(value, out ObjectRecord part)
                || !Ascii.EqualsIgnoreCase(part.ETag, wanted.ETag)
                || !Hex.TryDecode(part.ETag, partETags.AsSpan(i * 16, 16)))
            {
                return S3Errors.InvalidPart;
            }

            bool keyless = part.Has(RecordFlags.Encrypted) && key.IsEmpty;
            if (keyless)
            {
                ReadOnlySpan<byte> mac = part.Field(RecordField.PartMac);
                if (mac.Length != PartTable.MacSize)
                {
                    return S3Errors.SseCUploadKeyRequired;
                }

                if (partMacs.Length == 0)
                {
                    partMacs = new byte[requested.Count * PartTable.MacSize];
                }

                mac.CopyTo(partMacs.AsSpan(i * PartTable.MacSize));
            }

            ReadOnlySpan<byte> checksum = keyless ? default : Multipart.ChecksumOf(key, part, out _);
            ReadOnlySpan<byte> digest = StoredChecksum.DigestOf(checksum);
            ChecksumAlgorithm algorithm = digest.IsEmpty ? ChecksumAlgorithm.None : StoredChecksum.AlgorithmOf(checksum);
            if (wanted.Checksum is not null && (wanted.Algorithm != algorithm || !digest.SequenceEqual(wanted.Checksum)))
            {
                return S3Errors.InvalidPart;
            }

            if (declared != ChecksumAlgorithm.None && algorithm != declared)
            {
                // A part whose sealed checksum cannot be opened (no key) or was hashed otherwise.
                return S3Errors.InvalidPart;
            }

            partAlgorithm = i == 0 || partAlgorithm == algorithm ? algorithm : ChecksumAlgorithm.None;
            if (partAlgorithm != ChecksumAlgorithm.None)
            {
                checksums.Write(digest);
            }

            if (i < requested.Count - 1 && part.Size < MinPartSize)
            {
                return S3Errors.EntityTooSmall;
            }

            total += part.Size;
            parts[i] = new PartEntry(wanted.Number, part.DataId, part.Size, part.StoredSize);
        }

        if (total > MaxObjectSize)
        {
            return S3Errors.EntityTooLarge;
        }

        collected = new CollectedParts(parts, partETags, checksums.WrittenSpan.ToArray(), partAlgorithm, partMacs);
        return null;
    }

    /// <summary>The stored checksum field: algorithm, type, part count (LE), digest.</summary>
    private static byte[] ObjectChecksum(ChecksumAlgorithm algorithm, ChecksumType type, PartEntry[] parts, byte[] partChecksums)
    {
        int digestLength = algorithm.DigestLength;
        Span<byte> digest = stackalloc byte[digestLength];
        if (type == ChecksumType.Composite)
        {
            MultipartChecksum.ComputeComposite(algorithm, partChecksums, digest);
        }
        else
        {
            digest.Clear();
            for (int i = 0; i < parts.Length; i++)
            {
                MultipartChecksum.CombineFullObject(algorithm, digest, partChecksums.AsSpan(i * digestLength, digestLength), parts[i].Size);
            }
        }

        byte[] field = new byte[StoredChecksum.HeaderSize + digestLength];
        StoredChecksum.Write(algorithm, type, parts.Length, digest, field);
        return field;
    }

    /// <summary>An x-amz-checksum-* header on Complete is the client's expectation of the object's checksum (composite ones as "base64-N").</summary>
    private static S3Error? VerifyExpected(S3Call call, ChecksumAlgorithm algorithm, ReadOnlySpan<byte> digest)
    {
        if (!call.Request.Headers.TryGetValue(algorithm.HeaderName, out ReadOnlySpan<byte> expected))
        {
            return null;
        }

        int dash = expected.IndexOf((byte)'-');
        if (dash >= 0)
        {
            expected = expected[..dash];
        }

        Span<byte> decoded = stackalloc byte[ChecksumAlgorithmExtensions.MaxDigestLength];
        return DigestBase64.TryDecode(expected, decoded[..digest.Length]) && decoded[..digest.Length].SequenceEqual(digest) ? null : ChecksumErrors.Mismatch(algorithm);
    }

    /// <summary>
    /// The object's record: the upload's content headers and user metadata (for SSE-C sealed again
    /// under <paramref name="key"/> with the checksum added, or as they are when the Complete came
    /// without the key), its tags and sealed key as they are, the part table as its data.
    /// ObjectTampered when the upload's sealed headers do not open.
    /// </summary>
    private static S3Error? BuildRecord(byte[] uploadValue, DataKey key, Guid tableId, PartEntry[] parts, byte[] etag, byte[]? checksum, out byte[] built)
    {
        built = [];
        ObjectRecord.TryRead(uploadValue, out ObjectRecord upload);
        bool encrypted = upload.Has(RecordFlags.Encrypted);
        long size = 0, storedSize = 0;
        foreach (PartEntry part in parts)
        {
            size += part.Size;
            storedSize += part.StoredSize;
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        var flags = RecordFlags.Multipart | (encrypted ? RecordFlags.Encrypted : RecordFlags.None);
        var record = new ObjectRecord.Builder((byte)flags, tableId, size, storedSize, now);
        try
        {
            record.Add(RecordField.ETag, etag);
            record.AddIfPresent(RecordField.Tags, upload.Field(RecordField.Tags));
            if (!encrypted)
            {
                record.AddIfPresent(RecordField.Checksum, checksum);
                ObjectHeaders.CopyFrom(upload, ref record);
                built = record.Written.ToArray();
                return null;
            }

            // The upload's sealed headers carry over as they are (same object key); without the key
            // there is no checksum to add.
            record.Add(RecordField.Encryption, upload.Field(RecordField.Encryption));
            record.Add(RecordField.SealedMetadata, upload.Field(RecordField.SealedMetadata));
            if (!key.IsEmpty)
            {
                Encryption.SealChecksum(key, checksum, ref record);
            }

            built = record.Written.ToArray();
            return null;
        }
        finally
        {
            record.Dispose();
        }
    }

    private static void WriteResult(S3Call call, KeepAlive keepAlive, Completed completed)
    {
        var xml = new XmlBuilder(512 + (call.Key.Length * 3));
        try
        {
            xml.OpenRoot("CompleteMultipartUploadResult"u8);
            Span<byte> location = stackalloc byte[8 + 256];
            int length = 0;
            (call.Request.IsTls ? "https://"u8 : "http://"u8).CopyTo(location);
            length += call.Request.IsTls ? 8 : 7;
            ReadOnlySpan<byte> host = call.Request.Host[..Math.Min(call.Request.Host.Length, 256)];
            host.CopyTo(location[length..]);
            length += host.Length;
            xml.Open("Location"u8);
            xml.Text(location[..length]);
            xml.Text(call.Request.Path);
            xml.Close("Location"u8);
            xml.Element("Bucket"u8, call.BucketName);
            xml.Element("Key"u8, call.Key);
            Span<byte> quoted = stackalloc byte[completed.ETag.Length + 2];
            xml.Element("ETag"u8, quoted[..ETag.WriteQuoted(completed.ETag, quoted)]);
            if (completed.Checksum is { } checksum)
            {
                Span<byte> value = stackalloc byte[MultipartChecksum.MaxCompositeLength];
                xml.Element(StoredChecksum.AlgorithmOf(checksum).ElementName, value[..StoredChecksum.Format(checksum, value)]);
                xml.Element("ChecksumType"u8, StoredChecksum.TypeName(StoredChecksum.TypeOf(checksum)));
            }

            xml.Close("CompleteMultipartUploadResult"u8);
            keepAlive.Send(xml);
        }
        finally
        {
            xml.Dispose();
        }
    }

    internal static bool TryParse(ReadOnlyMemory<byte> body, out List<RequestedPart> parts)
    {
        parts = [];
        try
        {
            using var reader = RequestXml.Open(body);
            if (!reader.ReadToFollowing("CompleteMultipartUpload"))
            {
                return false;
            }

            while (reader.ReadToFollowing("Part"))
            {
                if (!TryReadPart(reader.ReadSubtree(), out RequestedPart part) || parts.Count == PartTable.MaxParts)
                {
                    return false;
                }

                parts.Add(part);
            }

            return parts.Count > 0;
        }
        catch (XmlException)
        {
            return false;
        }
    }

    private static bool TryReadPart(XmlReader part, out RequestedPart parsed)
    {
        parsed = default;
        int number = 0;
        byte[]? etag = null;
        var algorithm = ChecksumAlgorithm.None;
        byte[]? checksum = null;
        bool wellFormed = RequestXml.ForEachChild(part, (name, text) =>
        {
            // Numbers and base64 may be padded with whitespace; the ETag is taken as sent (its quotes aside), lower-cased
            // since ETags compare regardless of case, and so that a Complete sent again in other case hashes alike (PartListDigest).
            if (name == "PartNumber")
            {
                return int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number);
            }

            if (name == "ETag")
            {
                etag = System.Text.Encoding.ASCII.GetBytes(text.Trim('"'));
                Ascii.ToLowerInPlace(etag, out _);
            }
            else if (name.StartsWith("Checksum", StringComparison.Ordinal) && name.Length > 8
                && ChecksumAlgorithmExtensions.TryParseName(System.Text.Encoding.ASCII.GetBytes(name[8..]), out ChecksumAlgorithm named))
            {
                // Set only on a match: an unknown Checksum* element must not reset the algorithm of a checksum read before it.
                algorithm = named;
                checksum = new byte[algorithm.DigestLength];
                return DigestBase64.TryDecode(System.Text.Encoding.ASCII.GetBytes(text.Trim()), checksum);
            }

            return true;
        });

        if (!wellFormed || number is < 1 or > PartTable.MaxParts || etag is null)
        {
            return false;
        }

        parsed = new RequestedPart(number, etag, algorithm, checksum);
        return true;
    }
}
