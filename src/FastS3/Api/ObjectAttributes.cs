using System.Buffers;
using System.Buffers.Text;
using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Crypto;
using FastS3.Http;
using FastS3.Storage;
using FastS3.Xml;

namespace FastS3.Api;

/// <summary>
/// GetObjectAttributes: what x-amz-object-attributes names (ETag, Checksum, ObjectParts,
/// StorageClass, ObjectSize) without the content. An SSE-C object's checksum is sealed with its
/// metadata, so the customer key is required as for HEAD, and a multipart one's part list is shown
/// only once its MAC proves it is the one that key sealed.
/// </summary>
public sealed class ObjectAttributes(Store store)
{
    private const int DefaultMaxParts = 1000;

    private static readonly S3Error NoAttributes = new(400, "InvalidArgument", "x-amz-object-attributes must name at least one of ETag, Checksum, ObjectParts, StorageClass, ObjectSize.");
    private static readonly S3Error InvalidAttribute = new(400, "InvalidArgument", "Invalid attribute name specified.");
    private static readonly S3Error InvalidMaxParts = new(400, "InvalidArgument", "x-amz-max-parts must be an integer from 0 to 1000.");
    private static readonly S3Error InvalidPartMarker = new(400, "InvalidArgument", "x-amz-part-number-marker must be an integer from 0 to 10000.");

    [Flags]
    private enum Attribute
    {
        None = 0,
        ETag = 1,
        Checksum = 2,
        ObjectParts = 4,
        StorageClass = 8,
        ObjectSize = 16,
    }

    public async ValueTask<S3Error?> GetAsync(S3Call call)
    {
        HttpRequestHeaders headers = call.Request.Headers;
        S3Error? invalid = ParseAttributes(headers, out Attribute wanted);
        int maxParts = DefaultMaxParts;
        int marker = 0;
        invalid ??= ParseNumber(headers, "x-amz-max-parts"u8, DefaultMaxParts, InvalidMaxParts, ref maxParts)
            ?? ParseNumber(headers, "x-amz-part-number-marker"u8, PartTable.MaxParts, InvalidPartMarker, ref marker);
        if (invalid is not null)
        {
            return invalid;
        }

        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
        {
            return missing;
        }

        // A part table can be replaced between the index lookup and its read: look again.
        for (int attempt = 0; ; attempt++)
        {
            ReadOnlyMemory<byte> value = await bucket.FindObjectAsync(call.KeyMemory);
            if (Get.Readable(call, value, out DataKey opened) is { } unreadable)
            {
                return unreadable;
            }

            using DataKey key = opened;
            ObjectRecord.TryRead(value.Span, out ObjectRecord record);
            bool encrypted = record.Has(RecordFlags.Encrypted);
            StoredContent? content = null;
            if (wanted.HasFlag(Attribute.ObjectParts) && record.Has(RecordFlags.Multipart))
            {
                content = await bucket.OpenContentAsync(value);
                if (content is null && attempt < 3)
                {
                    continue;
                }

                if (content is null || (encrypted && !content.IsAuthentic(key)))
                {
                    return S3Errors.ObjectTampered;
                }

                ObjectRecord.TryRead(value.Span, out record);
            }

            byte[]? details = null;
            try
            {
                ReadOnlySpan<byte> checksum = record.Field(RecordField.Checksum);
                if (encrypted)
                {
                    int checksumStart = Encryption.MetadataLength(record);
                    details = ArrayPool<byte>.Shared.Rent(checksumStart + Encryption.ChecksumLength(record));
                    if (!Encryption.TryOpenMetadataAndChecksum(key, record, details, out int length, details.AsSpan(checksumStart), out int checksumLength)
                        || !ObjectRecord.TryRead(details.AsSpan(0, length), out ObjectRecord sealedRecord))
                    {
                        return S3Errors.ObjectTampered;
                    }

                    checksum = Encryption.Checksum(details.AsSpan(checksumStart, checksumLength), sealedRecord);
                }

                Get.AddLastModified(call.Response, record.LastModified);
                Encryption.Echo(call, record.Field(RecordField.Encryption));

                Write(call, wanted, record, checksum, content, maxParts, marker);
                return null;
            }
            finally
            {
                if (details is not null)
                {
                    ArrayPool<byte>.Shared.Return(details, clearArray: true);
                }
            }
        }
    }

    private static void Write(S3Call call, Attribute wanted, in ObjectRecord record, ReadOnlySpan<byte> checksum, StoredContent? content, int maxParts, int marker)
    {
        var xml = new XmlBuilder(1024);
        try
        {
            xml.OpenRoot("GetObjectAttributesResponse"u8);
            if (wanted.HasFlag(Attribute.ETag))
            {
                // Unquoted here, unlike the ETag header.
                xml.Element("ETag"u8, record.ETag);
            }

            if (wanted.HasFlag(Attribute.Checksum) && checksum.Length > StoredChecksum.HeaderSize)
            {
                Span<byte> text = stackalloc byte[MultipartChecksum.MaxCompositeLength];
                xml.Open("Checksum"u8);
                xml.Element(StoredChecksum.AlgorithmOf(checksum).ElementName, text[..StoredChecksum.Format(checksum, text)]);
                xml.Element("ChecksumType"u8, StoredChecksum.TypeName(StoredChecksum.TypeOf(checksum)));
                xml.Close("Checksum"u8);
            }

            if (content is { IsMultipart: true })
            {
                WriteParts(ref xml, content.Parts, maxParts, marker);
            }

            if (wanted.HasFlag(Attribute.StorageClass))
            {
                xml.Element("StorageClass"u8, "STANDARD"u8);
            }

            if (wanted.HasFlag(Attribute.ObjectSize))
            {
                xml.Element("ObjectSize"u8, record.Size);
            }

            xml.Close("GetObjectAttributesResponse"u8);
            xml.WriteTo(call.Response);
        }
        finally
        {
            xml.Dispose();
        }
    }

    /// <summary>One page of the part list, after part number <paramref name="marker"/>, as ListParts pages.</summary>
    private static void WriteParts(ref XmlBuilder xml, PartEntry[] parts, int maxParts, int marker)
    {
        xml.Open("ObjectParts"u8);
        xml.Element("PartsCount"u8, parts.Length);
        xml.Element("PartNumberMarker"u8, marker);
        int first = 0;
        while (first < parts.Length && parts[first].Number <= marker)
        {
            first++;
        }

        int end = (int)Math.Min(parts.Length, (long)first + maxParts);
        xml.Element("NextPartNumberMarker"u8, end > first ? parts[end - 1].Number : marker);
        xml.Element("MaxParts"u8, maxParts);
        xml.Element("IsTruncated"u8, end < parts.Length);
        for (int i = first; i < end; i++)
        {
            xml.Open("Part"u8);
            xml.Element("PartNumber"u8, parts[i].Number);
            xml.Element("Size"u8, parts[i].Size);
            xml.Close("Part"u8);
        }

        xml.Close("ObjectParts"u8);
    }

    /// <summary>x-amz-object-attributes: a comma-separated list of attribute names, case as AWS spells them.</summary>
    private static S3Error? ParseAttributes(HttpRequestHeaders headers, out Attribute wanted)
    {
        wanted = Attribute.None;
        if (!headers.TryGetValue("x-amz-object-attributes"u8, out ReadOnlySpan<byte> list))
        {
            return NoAttributes;
        }

        foreach (Range range in list.Split((byte)','))
        {
            ReadOnlySpan<byte> name = list[range].Trim((byte)' ');
            Attribute attribute = name switch
            {
                _ when name.SequenceEqual("ETag"u8) => Attribute.ETag,
                _ when name.SequenceEqual("Checksum"u8) => Attribute.Checksum,
                _ when name.SequenceEqual("ObjectParts"u8) => Attribute.ObjectParts,
                _ when name.SequenceEqual("StorageClass"u8) => Attribute.StorageClass,
                _ when name.SequenceEqual("ObjectSize"u8) => Attribute.ObjectSize,
                _ => Attribute.None,
            };
            if (attribute == Attribute.None)
            {
                return InvalidAttribute;
            }

            wanted |= attribute;
        }

        return null;
    }

    /// <summary>A header of digits, 0 to <paramref name="max"/>, into <paramref name="number"/>; left as it is when absent.</summary>
    private static S3Error? ParseNumber(HttpRequestHeaders headers, ReadOnlySpan<byte> name, int max, S3Error invalid, ref int number)
    {
        if (!headers.TryGetValue(name, out ReadOnlySpan<byte> text))
        {
            return null;
        }

        return Utf8Parser.TryParse(text, out number, out int consumed) && consumed == text.Length && number >= 0 && number <= max ? null : invalid;
    }
}
