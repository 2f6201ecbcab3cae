using System.Buffers.Text;
using FastS3.Basics;
using FastS3.Storage;
using FastS3.Xml;

namespace FastS3.Api;

/// <summary>
/// ListObjects (V1), ListObjectsV2 and ListObjectVersions (every object is version "null": buckets
/// are unversioned). One walk of the index in key order serves all three: it starts after the
/// marker, folds keys into common prefixes at the delimiter (jumping past each folded range with a
/// seek, so a page costs the same however many keys a prefix holds) and stops after max-keys.
/// </summary>
public sealed class Listing(Store store, Buckets buckets)
{
    public const int MaxKeys = 1000;

    private enum Flavor : byte
    {
        V1,
        V2,
        Versions,
    }

    public ValueTask<S3Error?> ListObjectsV1Async(S3Call call) => ValueTask.FromResult(Run(call, Flavor.V1));

    public ValueTask<S3Error?> ListObjectsV2Async(S3Call call) => ValueTask.FromResult(Run(call, Flavor.V2));

    public ValueTask<S3Error?> ListObjectVersionsAsync(S3Call call) => ValueTask.FromResult(Run(call, Flavor.Versions));

    private S3Error? Run(S3Call call, Flavor flavor)
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
        Span<byte> markerBuffer = stackalloc byte[S3Call.MaxEncodedKeyLength];
        Span<byte> startAfterBuffer = stackalloc byte[S3Call.MaxEncodedKeyLength];
        Span<byte> maxKeysText = stackalloc byte[16];

        if (!ListingParameters.TryGetText(query, "prefix"u8, prefixBuffer, out int prefixLength)
            || !ListingParameters.TryGetText(query, "delimiter"u8, delimiterBuffer, out int delimiterLength))
        {
            return S3Errors.InvalidArgument;
        }

        ReadOnlySpan<byte> prefix = prefixBuffer[..prefixLength];
        ReadOnlySpan<byte> delimiter = delimiterBuffer[..delimiterLength];

        int maxKeys = MaxKeys;
        if (QueryString.TryGet(query, "max-keys"u8, maxKeysText, out int maxKeysLength))
        {
            if (!Utf8Parser.TryParse(maxKeysText[..maxKeysLength], out maxKeys, out int consumed) || consumed != maxKeysLength || maxKeys < 0)
            {
                return S3Errors.InvalidArgument;
            }

            maxKeys = Math.Min(maxKeys, MaxKeys);
        }

        if (ListingParameters.ParseEncodingType(query, out bool urlEncoding) is { } encodingError)
        {
            return encodingError;
        }

        // Keys always come in order here; an unordered listing cannot fold by a delimiter, so S3 refuses the pair.
        if (!delimiter.IsEmpty && QueryString.TryGet(query, "allow-unordered"u8, maxKeysText, out int unorderedLength) && maxKeysText[..unorderedLength].SequenceEqual("true"u8))
        {
            return S3Errors.UnorderedWithDelimiter;
        }

        // Where to resume: V1 "marker", V2 "continuation-token" (ours: the base64 of the last key
        // returned) or else "start-after", versions "key-marker". Everything up to it is skipped.
        scoped ReadOnlySpan<byte> marker = default;
        scoped ReadOnlySpan<byte> startAfter = default;
        scoped ReadOnlySpan<byte> continuationToken = default;
        int markerLength;
        switch (flavor)
        {
            case Flavor.V1 or Flavor.Versions:
                if (!ListingParameters.TryGetText(query, flavor == Flavor.V1 ? "marker"u8 : "key-marker"u8, markerBuffer, out markerLength))
                {
                    return S3Errors.InvalidArgument;
                }

                marker = markerBuffer[..markerLength];
                break;
            case Flavor.V2:
                if (!ListingParameters.TryGetText(query, "start-after"u8, startAfterBuffer, out markerLength))
                {
                    return S3Errors.InvalidArgument;
                }

                startAfter = startAfterBuffer[..markerLength];
                marker = startAfter;
                bool hasToken = QueryString.TryGet(query, "continuation-token"u8, markerBuffer, out int tokenLength);
                if (tokenLength < 0 || (hasToken && tokenLength == 0))
                {
                    // Empty or longer than any token of ours: a client that sends one expects to resume, not to restart.
                    return S3Errors.InvalidContinuationToken;
                }

                if (hasToken)
                {
                    continuationToken = markerBuffer[..tokenLength];
                    Span<byte> decoded = markerBuffer[tokenLength..];
                    if (Base64Url.DecodeFromUtf8(continuationToken, decoded, out _, out int keyLength) != System.Buffers.OperationStatus.Done)
                    {
                        return S3Errors.InvalidContinuationToken;
                    }

                    marker = decoded[..keyLength];
                }

                break;
        }

        bool fetchOwner = flavor != Flavor.V2 || QueryString.TryGet(query, "fetch-owner"u8, maxKeysText, out int ownerLength) && maxKeysText[..ownerLength].SequenceEqual("true"u8);

        var xml = new XmlBuilder(4096);
        try
        {
            ReadOnlySpan<byte> root = flavor == Flavor.Versions ? "ListVersionsResult"u8 : "ListBucketResult"u8;
            xml.OpenRoot(root);
            xml.Element("Name"u8, call.BucketName);
            xml.KeyElement("Prefix"u8, prefix, urlEncoding);
            switch (flavor)
            {
                case Flavor.V1:
                    xml.KeyElement("Marker"u8, marker, urlEncoding);
                    break;
                case Flavor.V2:
                    if (!startAfter.IsEmpty)
                    {
                        xml.KeyElement("StartAfter"u8, startAfter, urlEncoding);
                    }

                    if (!continuationToken.IsEmpty)
                    {
                        xml.Element("ContinuationToken"u8, continuationToken);
                    }

                    break;
                case Flavor.Versions:
                    xml.KeyElement("KeyMarker"u8, marker, urlEncoding);
                    xml.Element("VersionIdMarker"u8, default(ReadOnlySpan<byte>));
                    break;
            }

            xml.Element("MaxKeys"u8, maxKeys);
            if (!delimiter.IsEmpty)
            {
                xml.KeyElement("Delimiter"u8, delimiter, urlEncoding);
            }

            Span<byte> last = stackalloc byte[S3Call.MaxKeyLength];
            using IRecordCursor iterator = marker.SequenceCompareTo(prefix) >= 0 ? bucket.Objects.SeekAfter(marker) : bucket.Objects.Seek(prefix);
            var entries = new ObjectEntries(iterator, this, flavor, urlEncoding, fetchOwner);
            (int count, int lastLength, _, bool truncated) = ListingWalk.Run(ref entries, ref xml, prefix, delimiter, marker, maxKeys, urlEncoding, last);

            xml.Element("IsTruncated"u8, truncated);
            if (truncated)
            {
                ReadOnlySpan<byte> next = last[..lastLength];
                switch (flavor)
                {
                    case Flavor.V1 when !delimiter.IsEmpty:
                        xml.KeyElement("NextMarker"u8, next, urlEncoding);
                        break;
                    case Flavor.V2:
                        Span<byte> token = stackalloc byte[Base64Url.GetEncodedLength(S3Call.MaxKeyLength)];
                        xml.Element("NextContinuationToken"u8, token[..Base64Url.EncodeToUtf8(next, token)]);
                        break;
                    case Flavor.Versions:
                        xml.KeyElement("NextKeyMarker"u8, next, urlEncoding);
                        xml.Element("NextVersionIdMarker"u8, "null"u8);
                        break;
                }
            }

            if (flavor == Flavor.V2)
            {
                xml.Element("KeyCount"u8, count);
            }

            if (urlEncoding)
            {
                xml.Element("EncodingType"u8, "url"u8);
            }

            xml.Close(root);
            xml.WriteTo(call.Response);
        }
        finally
        {
            xml.Dispose();
        }

        return null;
    }

    /// <summary>A bucket's objects from where the page starts (the internal records after them end it).</summary>
    private struct ObjectEntries(IRecordCursor iterator, Listing listing, Flavor flavor, bool urlEncoding, bool fetchOwner) : IListedEntries
    {
        public readonly ReadOnlySpan<byte> Name => iterator.Key;

        public readonly bool MoveNext() => iterator.MoveNext() && Bucket.IsObjectKey(iterator.Key);

        public readonly void SeekTo(ReadOnlySpan<byte> name) => iterator.Seek(name);

        public readonly void Write(ref XmlBuilder xml)
        {
            if (ObjectRecord.TryRead(iterator.Value, out ObjectRecord record))
            {
                listing.WriteEntry(ref xml, flavor, iterator.Key, record, urlEncoding, fetchOwner);
            }
        }
    }

    private void WriteEntry(ref XmlBuilder xml, Flavor flavor, scoped ReadOnlySpan<byte> key, in ObjectRecord record, bool urlEncoding, bool fetchOwner)
    {
        ReadOnlySpan<byte> element = flavor == Flavor.Versions ? "Version"u8 : "Contents"u8;
        xml.Open(element);
        xml.KeyElement("Key"u8, key, urlEncoding);
        if (flavor == Flavor.Versions)
        {
            xml.Element("VersionId"u8, "null"u8);
            xml.Element("IsLatest"u8, true);
        }

        xml.Element("LastModified"u8, record.LastModified);
        Span<byte> etag = stackalloc byte[record.ETag.Length + 2];
        ETag.WriteQuoted(record.ETag, etag);
        xml.Element("ETag"u8, etag);
        xml.Element("Size"u8, record.Size);
        if (fetchOwner)
        {
            buckets.WriteOwner(ref xml);
        }

        xml.Element("StorageClass"u8, "STANDARD"u8);
        xml.Close(element);
    }
}
