using System.Runtime.CompilerServices;

namespace FastS3.Http.Parsing;

/// <summary>
/// Parses a complete request head (request line through the blank line) held in one span, and
/// trailer blocks after a chunked body. It validates syntax strictly (CRLF line ends, token names,
/// no obs-fold, no controls in values) and reports fields as offsets, so nothing is copied or
/// allocated.
/// </summary>
internal static class HttpParser
{
    /// <summary>Parses <paramref name="head"/>, which ends with CRLF CRLF.</summary>
    public static void ParseHead<THandler>(ReadOnlySpan<byte> head, ref THandler handler, int maxHeaderCount)
        where THandler : struct, IHttpHeadHandler
    {
        int lineFeed = head.IndexOf((byte)'\n');
        if (lineFeed < 1 || head[lineFeed - 1] != (byte)'\r')
        {
            Reject.Throw(RequestRejectionReason.InvalidRequestLine);
        }

        ParseRequestLine(head[..(lineFeed - 1)], ref handler);
        ParseFields(head, lineFeed + 1, ref handler, maxHeaderCount);
    }

    /// <summary>
    /// Parses header (or trailer) lines from <paramref name="start"/> up to the terminating empty line,
    /// which must end <paramref name="block"/>.
    /// </summary>
    public static void ParseFields<THandler>(ReadOnlySpan<byte> block, int start, ref THandler handler, int maxCount)
        where THandler : struct, IHttpHeadHandler
    {
        int count = 0;
        int position = start;
        while (true)
        {
            ReadOnlySpan<byte> rest = block[position..];
            int lineFeed = rest.IndexOf((byte)'\n');
            if (lineFeed < 1 || rest[lineFeed - 1] != (byte)'\r')
            {
                Reject.Throw(RequestRejectionReason.InvalidRequestHeader);
            }

            if (lineFeed == 1)
            {
                // The empty line: it must be the last thing in the block.
                if (position + 2 != block.Length)
                {
                    Reject.Throw(RequestRejectionReason.InvalidRequestHeader);
                }

                return;
            }

            if (++count > maxCount)
            {
                Reject.Throw(RequestRejectionReason.TooManyHeaders);
            }

            ParseField(rest[..(lineFeed - 1)], position, ref handler);
            position += lineFeed + 1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ParseField<THandler>(ReadOnlySpan<byte> line, int lineStart, ref THandler handler)
        where THandler : struct, IHttpHeadHandler
    {
        if (HttpCharacters.IsWhitespace(line[0]))
        {
            Reject.Throw(RequestRejectionReason.ObsoleteLineFolding);
        }

        int colon = line.IndexOf((byte)':');
        if (colon <= 0 || line[..colon].IndexOfAnyExcept(HttpCharacters.Token) >= 0)
        {
            Reject.Throw(RequestRejectionReason.InvalidRequestHeader);
        }

        int valueStart = colon + 1;
        int valueEnd = line.Length;
        while (valueStart < valueEnd && HttpCharacters.IsWhitespace(line[valueStart]))
        {
            valueStart++;
        }

        while (valueEnd > valueStart && HttpCharacters.IsWhitespace(line[valueEnd - 1]))
        {
            valueEnd--;
        }

        if (line[valueStart..valueEnd].IndexOfAny(HttpCharacters.InvalidFieldValue) >= 0)
        {
            Reject.Throw(RequestRejectionReason.InvalidRequestHeader);
        }

        handler.OnHeader(lineStart, colon, lineStart + valueStart, valueEnd - valueStart);
    }

    private static void ParseRequestLine<THandler>(ReadOnlySpan<byte> line, ref THandler handler)
        where THandler : struct, IHttpHeadHandler
    {
        int methodEnd = line.IndexOf((byte)' ');
        if (methodEnd <= 0 || line[..methodEnd].IndexOfAnyExcept(HttpCharacters.Token) >= 0)
        {
            Reject.Throw(RequestRejectionReason.InvalidRequestLine);
        }

        HttpMethod method = MatchMethod(line[..methodEnd]);

        int targetStart = methodEnd + 1;
        int targetLength = line[targetStart..].IndexOf((byte)' ');
        if (targetLength <= 0)
        {
            Reject.Throw(RequestRejectionReason.InvalidRequestLine);
        }

        ReadOnlySpan<byte> target = line.Slice(targetStart, targetLength);

        // origin-form only (and "*" for OPTIONS); visible ASCII only, so the raw target is safe to
        // hand to signature code byte for byte.
        bool asterisk = target.Length == 1 && target[0] == (byte)'*' && method == HttpMethod.Options;
        if ((target[0] != (byte)'/' && !asterisk) || target.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7e) >= 0)
        {
            Reject.Throw(RequestRejectionReason.InvalidRequestTarget);
        }

        int pathLength = target.IndexOf((byte)'?');
        if (pathLength < 0)
        {
            pathLength = targetLength;
        }

        HttpVersion version = MatchVersion(line[(targetStart + targetLength + 1)..]);
        handler.OnRequestLine(method, methodEnd, targetStart, targetLength, pathLength, version);
    }

    private static HttpVersion MatchVersion(ReadOnlySpan<byte> version)
    {
        if (version.SequenceEqual("HTTP/1.1"u8))
        {
            return HttpVersion.Http11;
        }

        if (version.SequenceEqual("HTTP/1.0"u8))
        {
            return HttpVersion.Http10;
        }

        // A well-formed version we do not speak is 505; anything else is a broken request line.
        if (version.Length == 8 && version.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)version[5])
            && version[6] == (byte)'.' && char.IsAsciiDigit((char)version[7]))
        {
            Reject.Throw(RequestRejectionReason.UnrecognizedHttpVersion);
        }

        Reject.Throw(RequestRejectionReason.InvalidRequestLine);
        return default;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static HttpMethod MatchMethod(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 when method.SequenceEqual("GET"u8) => HttpMethod.Get,
        3 when method.SequenceEqual("PUT"u8) => HttpMethod.Put,
        4 when method.SequenceEqual("HEAD"u8) => HttpMethod.Head,
        4 when method.SequenceEqual("POST"u8) => HttpMethod.Post,
        5 when method.SequenceEqual("PATCH"u8) => HttpMethod.Patch,
        5 when method.SequenceEqual("TRACE"u8) => HttpMethod.Trace,
        6 when method.SequenceEqual("DELETE"u8) => HttpMethod.Delete,
        7 when method.SequenceEqual("OPTIONS"u8) => HttpMethod.Options,
        7 when method.SequenceEqual("CONNECT"u8) => HttpMethod.Connect,
        _ => HttpMethod.Custom,
    };
}
