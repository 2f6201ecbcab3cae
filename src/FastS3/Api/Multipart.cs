using System.Buffers.Binary;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Crypto;
using FastS3.Storage;
using FastS3.Xml;

namespace FastS3.Api;

/// <summary>
/// The multipart upload lifecycle around the parts: CreateMultipartUpload, AbortMultipartUpload,
/// ListParts and ListMultipartUploads, and the lookups the part and Complete handlers share.
/// An upload's record keeps what CreateMultipartUpload was told (content headers, user metadata,
/// tags, SSE-C sealed key, checksum algorithm and type) until Complete turns it into the object's record.
/// </summary>
public sealed class Multipart(Store store, Buckets buckets)
{
    public const int MaxListed = 1000;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> CreateAsync(S3Call call)
    {
        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
        {
            return missing;
        }

        if (Put.EncryptionHeadersRefused(call) is { } sseError)
        {
            return sseError;
        }

        if (ParseChecksumDeclaration(call, out ChecksumAlgorithm algorithm, out ChecksumType type) is { } checksumError)
        {
            return checksumError;
        }

        if (TagSet.ParseHeader(call.Request.Headers, out byte[] tags) is { } invalidTags)
        {
            return invalidTags;
        }

        if (Encryption.CreateKey(call, bucket, out NewDataKey created) is { } keyError)
        {
            return keyError;
        }

        using NewDataKey key = created;
        if (NewRecords.Upload(call, key, algorithm, type, tags, out byte[] record) is { } headerError)
        {
            return headerError;
        }

        byte[] uploadId = new byte[MultipartUploads.UploadIdSize];
        MultipartUploads.NewUploadId(uploadId);
        await bucket.Uploads.Records.PutAsync(MultipartUploads.UploadKey(call.Key, uploadId), record);
        if (bucket.IsDeleted)
        {
            return S3Errors.NoSuchBucket;
        }

        Encryption.Echo(call, key.Field);
        Encryption.EchoContext(call, key.Field);
        if (algorithm != ChecksumAlgorithm.None)
        {
            call.Response.Headers.Add("x-amz-checksum-algorithm"u8, algorithm.Name);
            call.Response.Headers.Add("x-amz-checksum-type"u8, StoredChecksum.TypeName(type));
        }

        Span<byte> uploadIdHex = stackalloc byte[MultipartUploads.UploadIdHexLength];
        Hex.Encode(uploadId, uploadIdHex);
        var xml = new XmlBuilder(256 + call.Key.Length);
        try
        {
            xml.OpenRoot("InitiateMultipartUploadResult"u8);
            xml.Element("Bucket"u8, call.BucketName);
            xml.Element("Key"u8, call.Key);
            xml.Element("UploadId"u8, uploadIdHex);
            xml.Close("InitiateMultipartUploadResult"u8);
            xml.WriteTo(call.Response);
        }
        finally
        {
            xml.Dispose();
        }

        return null;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> AbortAsync(S3Call call)
    {
        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
        {
            return missing;
        }

        if (!TryGetUploadId(call, out byte[] uploadId))
        {
            return S3Errors.NoSuchUpload;
        }

        byte[] uploadKey = MultipartUploads.UploadKey(call.Key, uploadId);
        SemaphoreSlim gate = bucket.Uploads.Gate(uploadId);
        await gate.WaitAsync();
        try
        {
            if (!bucket.Uploads.Records.TryGet(uploadKey, out _))
            {
                return S3Errors.NoSuchUpload;
            }

            await bucket.Uploads.RemoveAsync(bucket, uploadKey, uploadId, keep: null);
        }
        finally
        {
            gate.Release();
        }

        call.Response.StatusCode = 204;
        return null;
    }

    public ValueTask<S3Error?> ListPartsAsync(S3Call call)
    {
        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
        {
            return ValueTask.FromResult<S3Error?>(missing);
        }

        if (FindUpload(call, bucket, out FoundUpload found) is { } notFound)
        {
            return ValueTask.FromResult<S3Error?>(notFound);
        }

        ObjectRecord.TryRead(found.Record, out ObjectRecord upload);

        // An SSE-C upload's key is optional here; with it, the (sealed) part checksums are listed too.
        // An SSE-S3/KMS upload's the KMS opens.
        DataKey key = default;
        if (call.ParseCustomerKey() is { } keyError)
        {
            return ValueTask.FromResult<S3Error?>(keyError);
        }

        bool opens = upload.Has(RecordFlags.Encrypted) && (call.HasCustomerKey || !Encryption.UsesCustomerKey(upload));
        if (opens && Encryption.OpenKey(call, upload, out key) is { } openError)
        {
            return ValueTask.FromResult<S3Error?>(openError);
        }

        using (key)
        {
            return ValueTask.FromResult(ListParts(call, bucket, found.Id, upload, key));
        }
    }

    private S3Error? ListParts(S3Call call, Bucket bucket, byte[] uploadId, in ObjectRecord upload, DataKey key)
    {
        bool encrypted = upload.Has(RecordFlags.Encrypted);
        if (!TryGetInt(call, "max-parts"u8, MaxListed, out int maxParts) || !TryGetInt(call, "part-number-marker"u8, 0, out int marker))
        {
            return maxParts < 0 ? S3Errors.InvalidMaxParts : S3Errors.InvalidPartNumberMarker;
        }

        if (ListingParameters.ParseEncodingType(call.Request.Query, out bool urlEncoding) is { } encodingError)
        {
            return encodingError;
        }

        maxParts = Math.Min(maxParts, MaxListed);
        (ChecksumAlgorithm algorithm, ChecksumType type) = DeclaredChecksum(upload);
        bool checksums = !encrypted || !key.IsEmpty;
        Span<byte> uploadIdHex = stackalloc byte[MultipartUploads.UploadIdHexLength];
        Hex.Encode(uploadId, uploadIdHex);
        var xml = new XmlBuilder(1024);
        try
        {
            xml.OpenRoot("ListPartsResult"u8);
            xml.Element("Bucket"u8, call.BucketName);
            xml.KeyElement("Key"u8, call.Key, urlEncoding);
            xml.Element("UploadId"u8, uploadIdHex);
            xml.Element("PartNumberMarker"u8, marker);
            int count = 0, last = marker;
            bool truncated = false;
            using (IRecordCursor parts = bucket.Uploads.Records.SeekAfter(MultipartUploads.PartKey(uploadId, Math.Min(marker, PartTable.MaxParts))))
            {
                while (parts.MoveNext() && MultipartUploads.PartNumberOf(parts.Key, uploadId) is > 0 and int number)
                {
                    if (count == maxParts)
                    {
                        // max-parts=0 lists nothing, and nothing to page on (as ListObjects with max-keys=0).
                        truncated = maxParts > 0;
                        break;
                    }

                    WritePart(ref xml, key, number, parts.Value, checksums);
                    last = number;
                    count++;
                }
            }

            xml.Element("NextPartNumberMarker"u8, last);
            xml.Element("MaxParts"u8, maxParts);
            xml.Element("IsTruncated"u8, truncated);
            buckets.WriteOwner(ref xml, "Initiator"u8);
            buckets.WriteOwner(ref xml, "Owner"u8);
            xml.Element("StorageClass"u8, "STANDARD"u8);
            if (algorithm != ChecksumAlgorithm.None)
            {
                xml.Element("ChecksumAlgorithm"u8, algorithm.Name);
                xml.Element("ChecksumType"u8, StoredChecksum.TypeName(type));
            }

            if (urlEncoding)
            {
                xml.Element("EncodingType"u8, "url"u8);
            }

            xml.Close("ListPartsResult"u8);
            xml.WriteTo(call.Response);
        }
        finally
        {
            xml.Dispose();
        }

        return null;
    }

    /// <summary>
    /// ListMultipartUploads: uploads in key order, then by initiation, from key-marker /
    /// upload-id-marker, with prefix, delimiter (folded into CommonPrefixes) and max-uploads.
    /// </summary>
    public ValueTask<S3Error?> ListUploadsAsync(S3Call call) => ValueTask.FromResult(ListUploads(call));

    private S3Error? ListUploads(S3Call call)
    {
        Bucket? bucket = store.FindBucket(call.BucketName);
        if (bucket is null)
        {
            return S3Errors.NoSuchBucket;
        }

        ReadOnlySpan<byte> query = call.Request.Query;
        // Sized for the encoded text: QueryString decodes only what fits before decoding.
        Span<byte> prefixBuffer = stackalloc byte[S3Call.MaxEncodedKeyLength];
        Span<byte> delimiterBuffer = stackalloc byte[64];
        Span<byte> keyMarkerBuffer = stackalloc byte[S3Call.MaxEncodedKeyLength];
        Span<byte> uploadIdMarkerText = stackalloc byte[MultipartUploads.UploadIdHexLength + 1];
        if (!ListingParameters.TryGetText(query, "prefix"u8, prefixBuffer, out int prefixLength)
            || !ListingParameters.TryGetText(query, "delimiter"u8, delimiterBuffer, out int delimiterLength)
            || !ListingParameters.TryGetText(query, "key-marker"u8, keyMarkerBuffer, out int keyMarkerLength))
        {
            return S3Errors.InvalidArgument;
        }

        if (!TryGetInt(call, "max-uploads"u8, MaxListed, out int maxUploads))
        {
            return S3Errors.InvalidMaxUploads;
        }

        if (ListingParameters.ParseEncodingType(query, out bool urlEncoding) is { } encodingError)
        {
            return encodingError;
        }

        maxUploads = Math.Min(maxUploads, MaxListed);
        ReadOnlySpan<byte> prefix = prefixBuffer[..prefixLength];
        ReadOnlySpan<byte> delimiter = delimiterBuffer[..delimiterLength];
        ReadOnlySpan<byte> keyMarker = keyMarkerBuffer[..keyMarkerLength];

        // Resume after (key-marker, upload-id-marker), or after every upload of key-marker when no id is given.
        Span<byte> uploadIdMarker = stackalloc byte[MultipartUploads.UploadIdSize];
        bool hasUploadIdMarker = false;
        if (!keyMarker.IsEmpty && QueryString.TryGet(query, "upload-id-marker"u8, uploadIdMarkerText, out int idLength) && idLength > 0)
        {
            if (idLength != MultipartUploads.UploadIdHexLength || !Hex.TryDecode(uploadIdMarkerText[..idLength], uploadIdMarker))
            {
                return S3Errors.InvalidUploadIdMarker;
            }

            hasUploadIdMarker = true;
        }

        // Before the key-marker, only uploads outside the prefix: then start at the prefix.
        byte[] start = keyMarker.IsEmpty || keyMarker.SequenceCompareTo(prefix) < 0
            ? MultipartUploads.UploadKeyPrefix(prefix)
            : MultipartUploads.UploadKey(keyMarker, hasUploadIdMarker ? uploadIdMarker : [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);

        var xml = new XmlBuilder(4096);
        var body = new XmlBuilder(4096);
        try
        {
            xml.OpenRoot("ListMultipartUploadsResult"u8);
            xml.Element("Bucket"u8, call.BucketName);
            xml.KeyElement("KeyMarker"u8, keyMarker, urlEncoding);
            xml.Element("UploadIdMarker"u8, hasUploadIdMarker ? uploadIdMarkerText[..MultipartUploads.UploadIdHexLength] : default);
            Span<byte> last = stackalloc byte[S3Call.MaxKeyLength];
            using IRecordCursor iterator = bucket.Uploads.Records.SeekAfter(start);
            var uploads = new UploadEntries(iterator, buckets, urlEncoding);
            ListedPage page = ListingWalk.Run(ref uploads, ref body, prefix, delimiter, keyMarker, maxUploads, urlEncoding, last);
            bool resumes = page.Truncated && page.Count > 0;
            xml.KeyElement("NextKeyMarker"u8, resumes ? last[..page.LastLength] : default, urlEncoding);
            xml.Element("NextUploadIdMarker"u8, resumes && !page.LastIsPrefix ? uploads.LastId : default);
            if (!delimiter.IsEmpty)
            {
                xml.KeyElement("Delimiter"u8, delimiter, urlEncoding);
            }

            xml.KeyElement("Prefix"u8, prefix, urlEncoding);
            xml.Element("MaxUploads"u8, maxUploads);
            xml.Element("IsTruncated"u8, page.Truncated);
            xml.Raw(body.Body);
            if (urlEncoding)
            {
                xml.Element("EncodingType"u8, "url"u8);
            }

            xml.Close("ListMultipartUploadsResult"u8);
            xml.WriteTo(call.Response);
        }
        finally
        {
            body.Dispose();
            xml.Dispose();
        }

        return null;
    }

    /// <summary>A bucket's uploads in key order (several of one key by upload id), from where the page starts.</summary>
    private struct UploadEntries(IRecordCursor iterator, Buckets buckets, bool urlEncoding) : IListedEntries
    {
        /// <summary>The hex upload id of the last upload written.</summary>
        public byte[] LastId { get; } = new byte[MultipartUploads.UploadIdHexLength];

        public readonly ReadOnlySpan<byte> Name => MultipartUploads.TrySplitUploadKey(iterator.Key, out ReadOnlySpan<byte> key, out _) ? key : default;

        public readonly bool MoveNext() => iterator.MoveNext() && MultipartUploads.TrySplitUploadKey(iterator.Key, out _, out _);

        public readonly void SeekTo(ReadOnlySpan<byte> name) => iterator.Seek(MultipartUploads.UploadKeyPrefix(name));

        public readonly void Write(ref XmlBuilder xml)
        {
            MultipartUploads.TrySplitUploadKey(iterator.Key, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> uploadId);
            ObjectRecord.TryRead(iterator.Value, out ObjectRecord upload);
            Hex.Encode(uploadId, LastId);
            xml.Open("Upload"u8);
            xml.KeyElement("Key"u8, key, urlEncoding);
            xml.Element("UploadId"u8, LastId);
            buckets.WriteOwner(ref xml, "Initiator"u8);
            buckets.WriteOwner(ref xml, "Owner"u8);
            xml.Element("StorageClass"u8, "STANDARD"u8);
            xml.Element("Initiated"u8, upload.LastModified);
            (ChecksumAlgorithm algorithm, ChecksumType type) = DeclaredChecksum(upload);
            if (algorithm != ChecksumAlgorithm.None)
            {
                xml.Element("ChecksumAlgorithm"u8, algorithm.Name);
                xml.Element("ChecksumType"u8, StoredChecksum.TypeName(type));
            }

            xml.Close("Upload"u8);
        }
    }

    /// <summary>?uploadId as its 16 bytes (parsed by the router); false when absent or not one of ours (then S3 says NoSuchUpload).</summary>
    internal static bool TryGetUploadId(S3Call call, out byte[] uploadId)
    {
        UploadIdBytes id = call.Route.UploadId;
        uploadId = call.Route.HasUploadId ? ((ReadOnlySpan<byte>)id).ToArray() : [];
        return call.Route.HasUploadId;
    }

    /// <summary>?partNumber (parsed by the router) as 1–10000, 0 when absent; InvalidArgument otherwise.</summary>
    internal static S3Error? PartNumberOf(S3Call call, out int partNumber)
    {
        partNumber = Math.Max(call.Route.PartNumber, 0);
        return call.Route.PartNumber < 0 ? S3Errors.InvalidPartNumberArgument : null;
    }

    /// <summary>The upload named by the request's key and ?uploadId, or NoSuchUpload.</summary>
    internal static S3Error? FindUpload(S3Call call, Bucket bucket, out FoundUpload upload)
    {
        upload = default;
        if (!TryGetUploadId(call, out byte[] uploadId))
        {
            return S3Errors.NoSuchUpload;
        }

        byte[] recordKey = MultipartUploads.UploadKey(call.Key, uploadId);
        if (!bucket.Uploads.Records.TryGet(recordKey, out byte[]? record) || !ObjectRecord.TryRead(record, out _))
        {
            return S3Errors.NoSuchUpload;
        }

        upload = new FoundUpload(uploadId, recordKey, record);
        return null;
    }

    /// <summary>
    /// Part requests of an SSE-C upload must bring its key (400 without, 403 when wrong), which
    /// opens the upload's data key; an SSE-S3/KMS upload's the KMS opens; a plain upload takes none
    /// (<paramref name="key"/> stays empty). A customer key for an upload that is not SSE-C is refused.
    /// </summary>
    internal static S3Error? OpenUploadKey(S3Call call, in ObjectRecord upload, out DataKey key)
    {
        key = default;
        if (!Encryption.UsesCustomerKey(upload))
        {
            return call.HasCustomerKey ? S3Errors.SseCUploadNotEncrypted : Encryption.OpenKey(call, upload, out key);
        }

        return call.HasCustomerKey ? Encryption.OpenKey(call, upload, out key) : S3Errors.SseCUploadKeyRequired;
    }

    /// <summary>The checksum algorithm and type CreateMultipartUpload declared (None when it declared none).</summary>
    internal static (ChecksumAlgorithm Algorithm, ChecksumType Type) DeclaredChecksum(in ObjectRecord upload)
    {
        ReadOnlySpan<byte> field = upload.Field(RecordField.Checksum);
        return (StoredChecksum.AlgorithmOf(field), StoredChecksum.TypeOf(field));
    }

    /// <summary>
    /// The stored checksum (algorithm byte, type byte, 2 reserved, digest) of a part or of a completed
    /// upload; SSE-C ones keep it sealed under the upload's data key, <paramref name="key"/>.
    /// </summary>
    internal static ReadOnlySpan<byte> ChecksumOf(DataKey key, in ObjectRecord record, out byte[]? opened)
    {
        opened = null;
        if (!record.Has(RecordFlags.Encrypted))
        {
            return record.Field(RecordField.Checksum);
        }

        // Records written before the sealed checksum field keep it in the sealed metadata.
        if (record.Field(RecordField.SealedChecksum).IsEmpty)
        {
            opened = Encryption.OpenMetadata(key, record);
            return opened is not null && ObjectRecord.TryRead(opened, out ObjectRecord details) ? details.Field(RecordField.Checksum) : default;
        }

        opened = new byte[Encryption.ChecksumLength(record)];
        return Encryption.TryOpenChecksum(key, record, opened, out int written) ? opened.AsSpan(0, written) : default;
    }

    /// <summary>x-amz-checksum-algorithm and x-amz-checksum-type of CreateMultipartUpload, with S3's defaults.</summary>
    private static S3Error? ParseChecksumDeclaration(S3Call call, out ChecksumAlgorithm algorithm, out ChecksumType type)
    {
        algorithm = ChecksumAlgorithm.None;
        type = ChecksumType.FullObject;
        bool hasType = call.Request.Headers.TryGetValue("x-amz-checksum-type"u8, out ReadOnlySpan<byte> typeName);
        if (call.Request.Headers.TryGetValue("x-amz-checksum-algorithm"u8, out ReadOnlySpan<byte> name)
            && !ChecksumAlgorithmExtensions.TryParseName(name, out algorithm))
        {
            return S3Errors.InvalidChecksumAlgorithm;
        }

        if (!hasType)
        {
            // CRC64NVME exists only as a full-object checksum; the others default to composite.
            type = algorithm is ChecksumAlgorithm.Crc64Nvme or ChecksumAlgorithm.None ? ChecksumType.FullObject : ChecksumType.Composite;
            return null;
        }

        if (System.Text.Ascii.EqualsIgnoreCase(typeName, "COMPOSITE"u8))
        {
            type = ChecksumType.Composite;
        }
        else if (!System.Text.Ascii.EqualsIgnoreCase(typeName, "FULL_OBJECT"u8))
        {
            return S3Errors.InvalidChecksumType;
        }

        bool supported = type == ChecksumType.Composite ? MultipartChecksum.SupportsComposite(algorithm) : MultipartChecksum.SupportsFullObject(algorithm);
        return supported ? null : S3Errors.InvalidChecksumType;
    }

    private static void WritePart(ref XmlBuilder xml, DataKey key, int number, ReadOnlySpan<byte> value, bool withChecksum)
    {
        ObjectRecord.TryRead(value, out ObjectRecord part);
        Span<byte> etag = stackalloc byte[part.ETag.Length + 2];
        xml.Open("Part"u8);
        xml.Element("PartNumber"u8, number);
        xml.Element("LastModified"u8, part.LastModified);
        xml.Element("ETag"u8, etag[..ETag.WriteQuoted(part.ETag, etag)]);
        xml.Element("Size"u8, part.Size);
        ReadOnlySpan<byte> checksum = withChecksum ? ChecksumOf(key, part, out _) : default;
        if (!StoredChecksum.DigestOf(checksum).IsEmpty)
        {
            Span<byte> base64 = stackalloc byte[DigestBase64.MaxLength];
            xml.Element(StoredChecksum.AlgorithmOf(checksum).ElementName, base64[..StoredChecksum.Format(checksum, base64)]);
        }

        xml.Close("Part"u8);
    }

    private static bool TryGetInt(S3Call call, ReadOnlySpan<byte> name, int fallback, out int value)
    {
        value = fallback;
        Span<byte> text = stackalloc byte[16];
        if (!QueryString.TryGet(call.Request.Query, name, text, out int length))
        {
            return length == 0;
        }

        if (!Utf8Parser.TryParse(text[..length], out value, out int consumed) || consumed != length || value < 0)
        {
            value = -1;
            return false;
        }

        return true;
    }
}

/// <summary>An upload a request names: its id, the key of its record, and the record.</summary>
internal readonly record struct FoundUpload(byte[] Id, byte[] RecordKey, byte[] Record);
