using FastS3.Basics;
using FastS3.Buffers;
using FastS3.Http;

namespace FastS3.Auth;

/// <summary>
/// Builds the SigV4 canonical request for S3: the path decoded and re-encoded once (no dot-segment
/// or slash normalization), query parameters decoded, re-encoded and sorted by name then value,
/// signed headers lower-cased with repeated fields joined by ',' and inner space runs collapsed.
/// </summary>
internal static class CanonicalRequest
{
    /// <summary>More parameters than this cannot be canonicalized (S3 requests carry a handful).</summary>
    public const int MaxQueryParameters = 64;

    /// <summary>False when a signed header is absent or the query has too many parameters.</summary>
    public static bool TryBuild(HttpRequest request, ReadOnlySpan<byte> signedHeaders, ReadOnlySpan<byte> payloadHash, bool presigned, ref ScratchBuffer output)
    {
        output.Append(request.MethodBytes);
        output.Append((byte)'\n');
        AppendCanonicalUri(request.Path, ref output);
        output.Append((byte)'\n');
        if (!TryAppendCanonicalQuery(request.Query, presigned, ref output))
        {
            return false;
        }

        output.Append((byte)'\n');
        foreach (Range range in signedHeaders.Split((byte)';'))
        {
            if (!TryAppendHeader(request.Headers, signedHeaders[range], ref output))
            {
                return false;
            }
        }

        output.Append((byte)'\n');
        output.Append(signedHeaders);
        output.Append((byte)'\n');
        output.Append(payloadHash);
        return true;
    }

    private static void AppendCanonicalUri(ReadOnlySpan<byte> rawPath, ref ScratchBuffer output)
    {
        Span<byte> decoded = rawPath.Length <= 4096 ? stackalloc byte[rawPath.Length] : new byte[rawPath.Length];
        int length = UriEncoding.Decode(rawPath, decoded, plusIsSpace: false);
        Span<byte> encoded = output.GetSpan(UriEncoding.MaxEncodedLength(length));
        output.Commit(UriEncoding.Encode(decoded[..length], encoded, keepSlash: true));
    }

    private static bool TryAppendCanonicalQuery(ReadOnlySpan<byte> rawQuery, bool presigned, ref ScratchBuffer output)
    {
        if (rawQuery.IsEmpty)
        {
            return true;
        }

        // Each parameter is decoded and re-encoded into `work`; entries index into it for sorting.
        Span<Parameter> parameters = stackalloc Parameter[MaxQueryParameters];
        int count = 0;
        var work = new ScratchBuffer(rawQuery.Length * 3 + 16);
        try
        {
            Span<byte> decoded = rawQuery.Length <= 4096 ? stackalloc byte[rawQuery.Length] : new byte[rawQuery.Length];
            foreach (Range range in rawQuery.Split((byte)'&'))
            {
                ReadOnlySpan<byte> pair = rawQuery[range];
                if (pair.IsEmpty)
                {
                    continue;
                }

                int eq = pair.IndexOf((byte)'=');
                ReadOnlySpan<byte> name = eq < 0 ? pair : pair[..eq];
                ReadOnlySpan<byte> value = eq < 0 ? default : pair[(eq + 1)..];

                int nameLength = UriEncoding.Decode(name, decoded, plusIsSpace: true);
                if (presigned && decoded[..nameLength].SequenceEqual("X-Amz-Signature"u8))
                {
                    continue;
                }

                if (count == MaxQueryParameters)
                {
                    return false;
                }

                int nameStart = work.Length;
                work.Commit(UriEncoding.Encode(decoded[..nameLength], work.GetSpan(nameLength * 3), keepSlash: false));
                int valueStart = work.Length;
                int valueLength = UriEncoding.Decode(value, decoded, plusIsSpace: true);
                work.Commit(UriEncoding.Encode(decoded[..valueLength], work.GetSpan(valueLength * 3), keepSlash: false));
                parameters[count++] = new Parameter(nameStart, valueStart - nameStart, valueStart, work.Length - valueStart);
            }

            ReadOnlySpan<byte> text = work.Written;
            Sort(parameters[..count], text);
            for (int i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    output.Append((byte)'&');
                }

                output.Append(text.Slice(parameters[i].NameStart, parameters[i].NameLength));
                output.Append((byte)'=');
                output.Append(text.Slice(parameters[i].ValueStart, parameters[i].ValueLength));
            }

            return true;
        }
        finally
        {
            work.Dispose();
        }
    }

    // Insertion sort: queries hold a few parameters, and it needs no delegate or allocation.
    private static void Sort(Span<Parameter> parameters, ReadOnlySpan<byte> text)
    {
        for (int i = 1; i < parameters.Length; i++)
        {
            Parameter current = parameters[i];
            int j = i - 1;
            while (j >= 0 && Compare(parameters[j], current, text) > 0)
            {
                parameters[j + 1] = parameters[j];
                j--;
            }

            parameters[j + 1] = current;
        }
    }

    private static int Compare(Parameter a, Parameter b, ReadOnlySpan<byte> text)
    {
        int byName = text.Slice(a.NameStart, a.NameLength).SequenceCompareTo(text.Slice(b.NameStart, b.NameLength));
        return byName != 0 ? byName : text.Slice(a.ValueStart, a.ValueLength).SequenceCompareTo(text.Slice(b.ValueStart, b.ValueLength));
    }

    private static bool TryAppendHeader(HttpRequestHeaders headers, ReadOnlySpan<byte> name, ref ScratchBuffer output)
    {
        int start = output.Length;
        System.Text.Ascii.ToLower(name, output.GetSpan(name.Length), out int written);
        output.Commit(written);
        output.Append((byte)':');

        bool found = false;
        for (int i = 0; i < headers.Count; i++)
        {
            HttpHeader header = headers[i];
            if (!System.Text.Ascii.EqualsIgnoreCase(header.Name, name))
            {
                continue;
            }

            if (found)
            {
                output.Append((byte)',');
            }

            found = true;
            AppendCollapsed(header.Value, ref output);
        }

        if (!found)
        {
            output.Truncate(start);
            return false;
        }

        output.Append((byte)'\n');
        return true;
    }

    /// <summary>Appends a value (already trimmed by the parser) with every run of spaces collapsed to one.</summary>
    private static void AppendCollapsed(ReadOnlySpan<byte> value, ref ScratchBuffer output)
    {
        while (!value.IsEmpty)
        {
            int space = value.IndexOf("  "u8);
            if (space < 0)
            {
                output.Append(value);
                return;
            }

            output.Append(value[..(space + 1)]);
            value = value[(space + 1)..].TrimStart((byte)' ');
        }
    }

    private readonly record struct Parameter(int NameStart, int NameLength, int ValueStart, int ValueLength);
}
