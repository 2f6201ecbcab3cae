using System.Buffers;

namespace FastS3.Basics;

/// <summary>
/// Percent-decoding and S3's SigV4 percent-encoding: only unreserved characters
/// (A-Z a-z 0-9 - _ . ~) stay literal, hex digits are upper case, and '/' is kept only in paths.
/// </summary>
public static class UriEncoding
{
    private static readonly SearchValues<byte> Unreserved = SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"u8);

    private static readonly SearchValues<byte> UnreservedOrSlash = SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~/"u8);

    private static ReadOnlySpan<byte> UpperHex => "0123456789ABCDEF"u8;

    /// <summary>
    /// Decodes %XX escapes (and '+' as space when <paramref name="plusIsSpace"/>, as in query strings).
    /// A '%' not followed by two hex digits stays literal. Returns the decoded length.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination, bool plusIsSpace)
    {
        int n = 0;
        for (int i = 0; i < source.Length; i++)
        {
            byte b = source[i];
            if (b == (byte)'%' && i + 2 < source.Length && Hex.TryDecode(source.Slice(i + 1, 2), destination.Slice(n, 1)))
            {
                n++;
                i += 2;
            }
            else
            {
                destination[n++] = plusIsSpace && b == (byte)'+' ? (byte)' ' : b;
            }
        }

        return n;
    }

    /// <summary>Encodes for a canonical URI (<paramref name="keepSlash"/>) or a canonical query component.</summary>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination, bool keepSlash)
    {
        // Most keys need no encoding at all: find the first byte that does with one vectorized scan.
        int first = source.IndexOfAnyExcept(keepSlash ? UnreservedOrSlash : Unreserved);
        if (first < 0)
        {
            source.CopyTo(destination);
            return source.Length;
        }

        source[..first].CopyTo(destination);
        int n = first;
        foreach (byte b in source[first..])
        {
            if (Unreserved.Contains(b) || (keepSlash && b == (byte)'/'))
            {
                destination[n++] = b;
            }
            else
            {
                destination[n++] = (byte)'%';
                destination[n++] = UpperHex[b >> 4];
                destination[n++] = UpperHex[b & 0xF];
            }
        }

        return n;
    }

    /// <summary>The most bytes <see cref="Encode"/> can produce for <paramref name="length"/> input bytes.</summary>
    public static int MaxEncodedLength(int length) => length * 3;
}
