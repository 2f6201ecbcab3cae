using FastS3.Basics;
using FastS3.Http;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// The headers S3 stores with an object and returns on GET/HEAD: the standard content headers and
/// user metadata (x-amz-meta-*, at most 2 KiB in all, names lower-cased as S3 returns them).
/// </summary>
public static class ObjectHeaders
{
    public const int MaxUserMetadataSize = 2048;

    private static ReadOnlySpan<byte> MetaPrefix => "x-amz-meta-"u8;

    /// <summary>The content headers stored with an object, by record field (see <see cref="HeaderName"/>).</summary>
    internal static readonly RecordField[] ContentHeaders =
        [RecordField.ContentType, RecordField.CacheControl, RecordField.ContentDisposition, RecordField.ContentEncoding, RecordField.ContentLanguage, RecordField.Expires];

    // Stored as sent; Content-Encoding is stored too, without the aws-chunked token (see Capture).
    private static readonly RecordField[] StoredAsSent =
        [RecordField.ContentType, RecordField.CacheControl, RecordField.ContentDisposition, RecordField.ContentLanguage, RecordField.Expires];

    /// <summary>The header a stored content field is sent as; empty for fields that are not headers.</summary>
    internal static ReadOnlySpan<byte> HeaderName(RecordField field) => field switch
    {
        RecordField.ContentType => "Content-Type"u8,
        RecordField.CacheControl => "Cache-Control"u8,
        RecordField.ContentDisposition => "Content-Disposition"u8,
        RecordField.ContentEncoding => "Content-Encoding"u8,
        RecordField.ContentLanguage => "Content-Language"u8,
        RecordField.Expires => "Expires"u8,
        _ => default,
    };

    /// <summary>Copies the storable headers of <paramref name="request"/> into <paramref name="record"/>.</summary>
    public static S3Error? Capture(HttpRequestHeaders headers, ref ObjectRecord.Builder record)
    {
        foreach (RecordField field in StoredAsSent)
        {
            if (headers.TryGetValue(HeaderName(field), out ReadOnlySpan<byte> value))
            {
                record.AddIfPresent(field, value);
            }
        }

        if (headers.TryGetValue("content-encoding"u8, out ReadOnlySpan<byte> encoding))
        {
            Span<byte> kept = stackalloc byte[encoding.Length];
            record.AddIfPresent(RecordField.ContentEncoding, kept[..WithoutAwsChunked(encoding, kept)]);
        }

        int metadataSize = 0;
        Span<byte> entry = stackalloc byte[MaxUserMetadataSize + 1];
        foreach (HttpHeader header in headers)
        {
            if (header.Name.Length <= MetaPrefix.Length || !System.Text.Ascii.EqualsIgnoreCase(header.Name[..MetaPrefix.Length], MetaPrefix))
            {
                continue;
            }

            ReadOnlySpan<byte> name = header.Name[MetaPrefix.Length..];
            metadataSize += name.Length + header.Value.Length;
            if (metadataSize > MaxUserMetadataSize)
            {
                return S3Errors.MetadataTooLarge;
            }

            System.Text.Ascii.ToLower(name, entry, out int nameLength);
            entry[nameLength] = 0;
            header.Value.CopyTo(entry[(nameLength + 1)..]);
            record.Add(RecordField.UserMetadata, entry[..(nameLength + 1 + header.Value.Length)]);
        }

        return null;
    }

    /// <summary>Copies the stored headers of <paramref name="source"/> (CopyObject with the COPY directive).</summary>
    public static void CopyFrom(in ObjectRecord source, ref ObjectRecord.Builder record)
    {
        ObjectRecord.FieldEnumerator fields = source.Fields();
        while (fields.MoveNext())
        {
            if (fields.Tag == RecordField.UserMetadata || !HeaderName(fields.Tag).IsEmpty)
            {
                record.Add(fields.Tag, fields.Value);
            }
        }
    }

    /// <summary>Writes the stored headers of <paramref name="record"/> into the response, except those <paramref name="overrides"/> replace.</summary>
    public static void Emit(in ObjectRecord record, HttpResponse response, ResponseOverrides overrides = default)
    {
        bool hasContentType = false;
        ObjectRecord.FieldEnumerator fields = record.Fields();
        Span<byte> name = stackalloc byte[MetaPrefix.Length + MaxUserMetadataSize];
        MetaPrefix.CopyTo(name);
        while (fields.MoveNext())
        {
            ReadOnlySpan<byte> value = fields.Value;
            if (fields.Tag == RecordField.UserMetadata)
            {
                int separator = value.IndexOf((byte)0);
                value[..separator].CopyTo(name[MetaPrefix.Length..]);
                response.Headers.Add(name[..(MetaPrefix.Length + separator)], value[(separator + 1)..]);
            }
            else if (HeaderName(fields.Tag) is { IsEmpty: false } header && !overrides.Replaces(fields.Tag))
            {
                hasContentType |= fields.Tag == RecordField.ContentType;
                response.Headers.Add(header, value);
            }
        }

        if (!hasContentType && !overrides.Replaces(RecordField.ContentType))
        {
            response.Headers.Add("Content-Type"u8, "binary/octet-stream"u8);
        }
    }

    /// <summary>Content-Encoding without the aws-chunked token, which describes the upload, not the object.</summary>
    public static int WithoutAwsChunked(ReadOnlySpan<byte> encoding, Span<byte> destination)
    {
        int written = 0;
        foreach (Range range in encoding.Split((byte)','))
        {
            ReadOnlySpan<byte> token = encoding[range].Trim((byte)' ');
            if (token.IsEmpty || System.Text.Ascii.EqualsIgnoreCase(token, "aws-chunked"u8))
            {
                continue;
            }

            if (written > 0)
            {
                destination[written++] = (byte)',';
            }

            token.CopyTo(destination[written..]);
            written += token.Length;
        }

        return written;
    }
}
