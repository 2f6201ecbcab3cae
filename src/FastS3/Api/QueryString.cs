using FastS3.Auth;
using FastS3.Basics;

namespace FastS3.Api;

/// <summary>Finds and percent-decodes query parameters ('+' is a space) without allocating.</summary>
public static class QueryString
{
    /// <summary>True when the parameter is present (possibly with an empty value); decodes it into <paramref name="destination"/>.</summary>
    public static bool TryGet(ReadOnlySpan<byte> query, ReadOnlySpan<byte> name, Span<byte> destination, out int length)
    {
        foreach (Range range in query.Split((byte)'&'))
        {
            ReadOnlySpan<byte> pair = query[range];
            if (!pair.StartsWith(name) || (pair.Length > name.Length && pair[name.Length] != (byte)'='))
            {
                continue;
            }

            length = DecodeValue(pair.Length > name.Length ? pair[(name.Length + 1)..] : default, destination);
            return length >= 0;
        }

        length = 0;
        return false;
    }

    /// <summary>Percent-decodes a raw value ('+' is a space) into <paramref name="destination"/>; -1 when the raw value is longer than it.</summary>
    public static int DecodeValue(ReadOnlySpan<byte> raw, Span<byte> destination)
        => raw.Length > destination.Length ? -1 : UriEncoding.Decode(raw, destination, plusIsSpace: true);
}
