using System.Buffers;
using System.Text;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Http;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// The response-* query parameters of GetObject and HeadObject (response-content-disposition and
/// its five siblings): each replaces the stored header of its name, or adds it, in a successful
/// answer (200 or 206, never 304), as S3 does; presigned download links use them to name the file.
/// Names match exactly, as S3's case-sensitive ones do (others are ignored as any unknown parameter
/// is). A value is percent-decoded UTF-8 and is sent in ISO-8859-1, the charset S3 writes headers
/// in, so what it cannot represent, a control character or an overlong value is refused before any
/// work is done. Only a signed request may ask: S3 refuses them to anonymous ones.
/// </summary>
public readonly struct ResponseOverrides
{
    /// <summary>The longest value taken, as sent (percent-encoded): a 255-byte UTF-8 file name as filename* fits.</summary>
    public const int MaxValueLength = 4096;

    private static ReadOnlySpan<byte> Prefix => "response-"u8;

    private readonly int _fields;

    private ResponseOverrides(int fields) => _fields = fields;

    /// <summary>True when the request replaces the stored header <paramref name="field"/>.</summary>
    public bool Replaces(RecordField field) => Replaces(_fields, field);

    /// <summary>Finds and checks the request's overrides: null when they can be honoured (or there are none).</summary>
    public static S3Error? Parse(ReadOnlySpan<byte> query, bool authenticated, out ResponseOverrides overrides)
    {
        overrides = default;
        if (query.IndexOf(Prefix) < 0)
        {
            return null;
        }

        int fields = 0;
        Span<byte> value = stackalloc byte[MaxValueLength];
        foreach (Range range in query.Split((byte)'&'))
        {
            if (!TryMatch(query[range], out RecordField field, out ReadOnlySpan<byte> raw))
            {
                continue;
            }

            if (!authenticated)
            {
                return S3Errors.AnonymousResponseOverride;
            }

            if (Replaces(fields, field))
            {
                return Invalid(field, "A response header override may be given once.");
            }

            switch (TryDecode(raw, value, out int length))
            {
                case Problem.NotIso88591:
                    return Invalid(field, "Header value cannot be represented using ISO-8859-1.");
                case Problem.ControlCharacter:
                    return Invalid(field, "Header value cannot contain control characters.");
                case Problem.TooLong:
                    return Invalid(field, $"Header value cannot be longer than {MaxValueLength} bytes.");
            }

            // An empty value overrides nothing: there is no header to send for it.
            fields |= length > 0 ? Bit(field) : 0;
        }

        overrides = new ResponseOverrides(fields);
        return null;
    }

    /// <summary>Adds the override headers (checked by <see cref="Parse"/> on this same query).</summary>
    public void Write(ReadOnlySpan<byte> query, HttpResponse response)
    {
        if (_fields == 0)
        {
            return;
        }

        Span<byte> value = stackalloc byte[MaxValueLength];
        foreach (Range range in query.Split((byte)'&'))
        {
            if (TryMatch(query[range], out RecordField field, out ReadOnlySpan<byte> raw) && Replaces(field)
                && TryDecode(raw, value, out int length) == Problem.None)
            {
                response.Headers.Add(ObjectHeaders.HeaderName(field), value[..length]);
            }
        }
    }

    private enum Problem
    {
        None,
        NotIso88591,
        ControlCharacter,
        TooLong,
    }

    private static int Bit(RecordField field) => 1 << (int)field;

    private static bool Replaces(int fields, RecordField field) => (fields & Bit(field)) != 0;

    /// <summary>A "response-NAME=value" pair: the stored field it replaces and its raw value.</summary>
    private static bool TryMatch(ReadOnlySpan<byte> pair, out RecordField field, out ReadOnlySpan<byte> raw)
    {
        int equals = pair.IndexOf((byte)'=');
        ReadOnlySpan<byte> name = equals < 0 ? pair : pair[..equals];
        raw = equals < 0 ? default : pair[(equals + 1)..];
        if (name.StartsWith(Prefix))
        {
            // S3's parameter is "response-" and the header's name in lower case, to the letter.
            ReadOnlySpan<byte> header = name[Prefix.Length..];
            foreach (RecordField candidate in ObjectHeaders.ContentHeaders)
            {
                if (Ascii.EqualsIgnoreCase(header, ObjectHeaders.HeaderName(candidate)) && !header.ContainsAnyInRange((byte)'A', (byte)'Z'))
                {
                    field = candidate;
                    return true;
                }
            }
        }

        field = default;
        return false;
    }

    /// <summary>Percent-decodes <paramref name="raw"/> into <paramref name="value"/> and re-encodes its text there in ISO-8859-1.</summary>
    private static Problem TryDecode(ReadOnlySpan<byte> raw, Span<byte> value, out int length)
    {
        length = 0;
        if (raw.Length > value.Length)
        {
            return Problem.TooLong;
        }

        int decoded = UriEncoding.Decode(raw, value, plusIsSpace: true);
        for (int read = 0; read < decoded; length++)
        {
            // Bytes that are not UTF-8 stand for U+FFFD, which ISO-8859-1 lacks: refused alike.
            if (Rune.DecodeFromUtf8(value[read..decoded], out Rune rune, out int consumed) != OperationStatus.Done || rune.Value > 0xFF)
            {
                return Problem.NotIso88591;
            }

            // CR or LF would end the header line; no other control but HTAB may be in a field value.
            if ((rune.Value < 0x20 && rune.Value != '\t') || rune.Value == 0x7F)
            {
                return Problem.ControlCharacter;
            }

            // The ISO-8859-1 byte is never longer than the UTF-8 it comes from: writing trails reading.
            value[length] = (byte)rune.Value;
            read += consumed;
        }

        return Problem.None;
    }

    private static S3Error Invalid(RecordField field, string message)
        => new(400, "InvalidArgument", message, ("ArgumentName", "response-" + Encoding.ASCII.GetString(ObjectHeaders.HeaderName(field)).ToLowerInvariant()));
}
