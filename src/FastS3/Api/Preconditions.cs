using System.Buffers.Text;
using FastS3.Http;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since evaluated in RFC 9110 §13.2.2
/// order, which is also what S3 documents: If-Match wins over If-Unmodified-Since, If-None-Match
/// over If-Modified-Since. ETags compare with or without their quotes; "*" matches any existing object.
/// </summary>
public static class Preconditions
{
    public enum Result : byte
    {
        Proceed,

        /// <summary>304 for GET/HEAD.</summary>
        NotModified,

        /// <summary>412 PreconditionFailed.</summary>
        Failed,
    }

    /// <summary>For reads (GET, HEAD) of an existing object.</summary>
    public static Result EvaluateRead(HttpRequestHeaders headers, ReadOnlySpan<byte> etag, DateTimeOffset lastModified)
    {
        if (headers.TryGetValue("if-match"u8, out ReadOnlySpan<byte> ifMatch))
        {
            if (!ListMatches(ifMatch, etag))
            {
                return Result.Failed;
            }
        }
        else if (TryGetDate(headers, "if-unmodified-since"u8, out DateTimeOffset since) && Truncate(lastModified) > since)
        {
            return Result.Failed;
        }

        if (headers.TryGetValue("if-none-match"u8, out ReadOnlySpan<byte> ifNoneMatch))
        {
            return ListMatches(ifNoneMatch, etag) ? Result.NotModified : Result.Proceed;
        }

        if (TryGetDate(headers, "if-modified-since"u8, out DateTimeOffset modifiedSince) && Truncate(lastModified) <= modifiedSince)
        {
            return Result.NotModified;
        }

        return Result.Proceed;
    }

    /// <summary>
    /// The x-amz-copy-source-if-* conditions of a copy, against the source: any that fails is 412
    /// (a copy has no 304).
    /// </summary>
    public static Result EvaluateCopySource(HttpRequestHeaders headers, ReadOnlySpan<byte> etag, DateTimeOffset lastModified)
    {
        if (headers.TryGetValue("x-amz-copy-source-if-match"u8, out ReadOnlySpan<byte> ifMatch) && !ListMatches(ifMatch, etag))
        {
            return Result.Failed;
        }

        if (headers.TryGetValue("x-amz-copy-source-if-none-match"u8, out ReadOnlySpan<byte> ifNoneMatch) && ListMatches(ifNoneMatch, etag))
        {
            return Result.Failed;
        }

        if (TryGetDate(headers, "x-amz-copy-source-if-unmodified-since"u8, out DateTimeOffset unmodified) && Truncate(lastModified) > unmodified)
        {
            return Result.Failed;
        }

        return TryGetDate(headers, "x-amz-copy-source-if-modified-since"u8, out DateTimeOffset modified) && Truncate(lastModified) <= modified
            ? Result.Failed
            : Result.Proceed;
    }

    /// <summary>
    /// For conditional writes (PUT with If-Match / If-None-Match): a check the index runs against the
    /// current record under its write lock, so two racing conditional PUTs cannot both win. Null when
    /// the request has no condition. A refused If-Match on a missing key is S3's 404 NoSuchKey, which
    /// the caller tells apart by the absent previous value.
    /// </summary>
    public static RecordCondition? ForWrite(HttpRequestHeaders headers)
    {
        byte[]? ifMatch = headers.TryGetValue("if-match"u8, out ReadOnlySpan<byte> match) ? match.ToArray() : null;
        byte[]? ifNoneMatch = headers.TryGetValue("if-none-match"u8, out ReadOnlySpan<byte> noneMatch) ? noneMatch.ToArray() : null;
        if (ifMatch is null && ifNoneMatch is null)
        {
            return null;
        }

        return (current, exists) =>
        {
            ReadOnlySpan<byte> etag = exists && ObjectRecord.TryRead(current, out ObjectRecord record) ? record.ETag : default;
            if (ifMatch is not null && (!exists || !ListMatches(ifMatch, etag)))
            {
                return false;
            }

            return ifNoneMatch is null || !exists || !ListMatches(ifNoneMatch, etag);
        };
    }

    /// <summary>True when any entry of a comma-separated ETag list (or "*") matches <paramref name="etag"/>.</summary>
    public static bool ListMatches(ReadOnlySpan<byte> list, ReadOnlySpan<byte> etag)
    {
        ReadOnlySpan<byte> bare = Unquote(etag);
        foreach (Range range in list.Split((byte)','))
        {
            ReadOnlySpan<byte> candidate = list[range].Trim((byte)' ');
            if (candidate.SequenceEqual("*"u8))
            {
                return true;
            }

            if (candidate.StartsWith("W/"u8))
            {
                candidate = candidate[2..];
            }

            if (Unquote(candidate).SequenceEqual(bare))
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<byte> Unquote(ReadOnlySpan<byte> tag)
        => tag.Length >= 2 && tag[0] == (byte)'"' && tag[^1] == (byte)'"' ? tag[1..^1] : tag;

    // HTTP dates have one-second resolution; stored times are finer.
    private static DateTimeOffset Truncate(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static bool TryGetDate(HttpRequestHeaders headers, ReadOnlySpan<byte> name, out DateTimeOffset date)
    {
        date = default;
        return headers.TryGetValue(name, out ReadOnlySpan<byte> value)
            && Utf8Parser.TryParse(value, out date, out int consumed, 'R') && consumed == value.Length;
    }
}
