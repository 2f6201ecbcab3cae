using System.Buffers.Text;
using FastS3.Basics;
using FastS3.Storage;
using FastS3.Storage.Index;
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
            int count = Walk(bucket.Index, ref xml, flavor, prefix, delimiter, marker, maxKeys, urlEncoding, fetchOwner, last, out int lastLength, out bool truncated);

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

    /// <summary>Emits up to <paramref name="maxKeys"/> entries; returns how many, the last one, and whether more follow.</summary>
    private int Walk(OrderedIndex index, ref XmlBuilder xml, Flavor flavor, scoped ReadOnlySpan<byte> prefix, scoped ReadOnlySpan<byte> delimiter,
        scoped ReadOnlySpan<byte> marker, int maxKeys, bool urlEncoding, bool fetchOwner, scoped Span<byte> last, out int lastLength, out bool truncated)
    {
        lastLength = 0;
        truncated = false;
        int count = 0;
        using IndexIterator iterator = marker.SequenceCompareTo(prefix) >= 0 ? index.SeekAfter(marker) : index.Seek(prefix);
        Span<byte> skipTo = stackalloc byte[S3Call.MaxKeyLength + 1];
        while (iterator.MoveNext())
        {
            ReadOnlySpan<byte> key = iterator.Key;
            if (!key.StartsWith(prefix) || !Bucket.IsObjectKey(key))
            {
                break;
            }

            int fold = delimiter.IsEmpty ? -1 : key[prefix.Length..].IndexOf(delimiter);
            ReadOnlySpan<byte> entry = fold < 0 ? key : key[..(prefix.Length + fold + delimiter.Length)];
            if (fold >= 0 && entry.SequenceCompareTo(marker) <= 0 && marker.StartsWith(entry))
            {
                // The marker is inside this common prefix, which an earlier page already returned.
                if (!SkipPast(iterator, entry, skipTo))
                {
                    break;
                }

                continue;
            }

            if (count == maxKeys)
            {
                truncated = maxKeys > 0;
                break;
            }

            count++;
            entry.CopyTo(last);
            lastLength = entry.Length;
            if (fold >= 0)
            {
                xml.Open("CommonPrefixes"u8);
                xml.KeyElement("Prefix"u8, entry, urlEncoding);
                xml.Close("CommonPrefixes"u8);
                if (!SkipPast(iterator, entry, skipTo))
                {
                    break;
                }

                continue;
            }

            if (!ObjectRecord.TryRead(iterator.Value, out ObjectRecord record))
            {
                continue;
            }

            WriteEntry(ref xml, flavor, key, record, urlEncoding, fetchOwner);
        }

        return count;
    }

    /// <summary>Moves the iterator past every key that starts with <paramref name="folded"/>; false if none can follow.</summary>
    private static bool SkipPast(IndexIterator iterator, ReadOnlySpan<byte> folded, Span<byte> scratch)
    {
        // The smallest key above the whole range: drop trailing 0xFF bytes, then increment the last byte.
        int length = folded.Length;
        while (length > 0 && folded[length - 1] == 0xFF)
        {
            length--;
        }

        if (length == 0)
        {
            return false;
        }

        folded[..length].CopyTo(scratch);
        scratch[length - 1]++;
        iterator.Seek(scratch[..length]);
        return true;
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
