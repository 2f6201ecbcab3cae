using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;
using System.Xml;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Http;
using FastS3.Storage;
using FastS3.Xml;

namespace FastS3.Api;

/// <summary>
/// A tag set as clients send it, a Tagging document or the x-amz-tagging header's URL-query form,
/// held to S3's rules and turned into its stored form (<see cref="StoredTags"/>); and the Tagging
/// document that reads it back. S3's rules: at most 10 tags on an object (50 on a bucket), else
/// BadRequest; keys unique, 1 to 128 characters, not starting with the reserved <c>aws:</c>; values
/// 0 to 256; both only letters, digits and spaces of any script (Unicode categories L, N and Z) and
/// <c>_ . : / = + - @</c>; InvalidTag otherwise.
/// </summary>
internal static class TagSet
{
    public const int MaxObjectTags = 10;
    public const int MaxBucketTags = 50;

    /// <summary>In UTF-16 code units, as Java counts a string's length: characters, except that one outside the BMP counts twice.</summary>
    public const int MaxKeyLength = 128;

    public const int MaxValueLength = 256;

    /// <summary>
    /// The largest Tagging document read. 50 tags at their longest are under 60 KiB of UTF-8 with
    /// the markup SDKs write; twice that leaves room for indentation and character references.
    /// </summary>
    public const int MaxDocumentSize = 128 * 1024;

    /// <summary>A Tagging document (PutObjectTagging, PutBucketTagging): MalformedXML if it is not one.</summary>
    public static S3Error? ParseDocument(ReadOnlyMemory<byte> body, bool forBucket, out byte[] stored)
    {
        stored = [];
        return TryReadDocument(body, out List<KeyValuePair<string, string>> tags)
            ? ToStored(tags, forBucket, S3Errors.DuplicateTagKey, out stored)
            : S3Errors.MalformedXML;
    }

    /// <summary>
    /// The x-amz-tagging header of a write (<c>k1=v1&amp;k2</c>: percent-encoded UTF-8, '+' a space,
    /// no '=' an empty value, empty pairs skipped); no header is no tags. What cannot be decoded, an
    /// empty key and a key given twice are InvalidArgument, as on S3.
    /// </summary>
    public static S3Error? ParseHeader(HttpRequestHeaders headers, out byte[] stored)
    {
        stored = [];
        if (!headers.TryGetValue("x-amz-tagging"u8, out ReadOnlySpan<byte> header))
        {
            return null;
        }

        var tags = new List<KeyValuePair<string, string>>();
        byte[] decoded = new byte[header.Length];
        foreach (Range range in header.Split((byte)'&'))
        {
            ReadOnlySpan<byte> pair = header[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            int equals = pair.IndexOf((byte)'=');
            ReadOnlySpan<byte> key = equals < 0 ? pair : pair[..equals];
            ReadOnlySpan<byte> value = equals < 0 ? default : pair[(equals + 1)..];
            if (key.IsEmpty || !TryDecode(key, decoded, out string? keyText) || !TryDecode(value, decoded, out string? valueText))
            {
                return S3Errors.InvalidTaggingHeader;
            }

            tags.Add(new(keyText, valueText));
        }

        return ToStored(tags, forBucket: false, S3Errors.InvalidTaggingHeader, out stored);
    }

    /// <summary>The Tagging document of a stored tag set (an empty TagSet for none).</summary>
    public static void Write(HttpResponse response, ReadOnlySpan<byte> stored)
    {
        // Tags hold nothing XML escapes: the document is its markup and the tags' bytes.
        var xml = new XmlBuilder(256 + stored.Length + (StoredTags.Count(stored) * 40));
        try
        {
            xml.OpenRoot("Tagging"u8);
            xml.Open("TagSet"u8);
            StoredTags.Enumerator tags = StoredTags.Enumerate(stored);
            while (tags.MoveNext())
            {
                xml.Open("Tag"u8);
                xml.Element("Key"u8, tags.Key);
                xml.Element("Value"u8, tags.Value);
                xml.Close("Tag"u8);
            }

            xml.Close("TagSet"u8);
            xml.Close("Tagging"u8);
            xml.WriteTo(response);
        }
        finally
        {
            xml.Dispose();
        }
    }

    /// <summary>Checks <paramref name="tags"/> against S3's rules (in S3's order: the count, then each tag in turn) and encodes them.</summary>
    private static S3Error? ToStored(List<KeyValuePair<string, string>> tags, bool forBucket, S3Error duplicate, out byte[] stored)
    {
        stored = [];
        if (tags.Count > (forBucket ? MaxBucketTags : MaxObjectTags))
        {
            return forBucket ? S3Errors.TooManyBucketTags : S3Errors.TooManyObjectTags;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string key, string value) in tags)
        {
            S3Error? refused = key.Length is 0 or > MaxKeyLength || !IsAllowed(key) ? S3Errors.InvalidTagKey
                : key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase) ? S3Errors.ReservedTagKey
                : value.Length > MaxValueLength || !IsAllowed(value) ? S3Errors.InvalidTagValue
                : !keys.Add(key) ? duplicate
                : null;
            if (refused is not null)
            {
                return refused;
            }
        }

        stored = StoredTags.Encode(tags);
        return null;
    }

    private static bool IsAllowed(string text)
    {
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (!Rune.IsLetter(rune) && !Rune.IsNumber(rune) && !Rune.IsSeparator(rune) && !(rune.IsAscii && "_.:/=+-@".Contains((char)rune.Value)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Percent-decodes one part of the header form; false for a '%' without two hex digits after it, or for bytes that are not UTF-8.</summary>
    private static bool TryDecode(ReadOnlySpan<byte> encoded, byte[] buffer, [NotNullWhen(true)] out string? text)
    {
        text = null;
        Span<byte> escaped = stackalloc byte[1];
        for (int i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == (byte)'%' && (i + 2 >= encoded.Length || !Hex.TryDecode(encoded.Slice(i + 1, 2), escaped)))
            {
                return false;
            }
        }

        ReadOnlySpan<byte> decoded = buffer.AsSpan(0, UriEncoding.Decode(encoded, buffer, plusIsSpace: true));
        if (!Utf8.IsValid(decoded))
        {
            return false;
        }

        text = Encoding.UTF8.GetString(decoded);
        return true;
    }

    /// <summary>The tags of a Tagging document: &lt;Tagging&gt;&lt;TagSet&gt; then &lt;Tag&gt;s, each with one &lt;Key&gt; and one &lt;Value&gt;, their text as sent.</summary>
    private static bool TryReadDocument(ReadOnlyMemory<byte> body, out List<KeyValuePair<string, string>> tags)
    {
        tags = [];
        try
        {
            using XmlReader reader = RequestXml.Open(body);
            if (!reader.ReadToFollowing("Tagging") || !reader.ReadToDescendant("TagSet"))
            {
                return false;
            }

            while (reader.ReadToFollowing("Tag"))
            {
                string? key = null;
                string? value = null;
                bool wellFormed = RequestXml.ForEachChild(reader.ReadSubtree(), (name, text) => name switch
                {
                    "Key" => key is null && (key = text) is not null,
                    "Value" => value is null && (value = text) is not null,
                    _ => true,
                });
                if (!wellFormed || key is null || value is null)
                {
                    return false;
                }

                tags.Add(new(key, value));
            }

            return true;
        }
        catch (XmlException)
        {
            return false;
        }
    }
}
