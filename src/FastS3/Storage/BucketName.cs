namespace FastS3.Storage;

/// <summary>
/// S3's general-purpose bucket naming rules, with MinIO's strict reading (no '.' next to '-'); the S3
/// layer answers 400 InvalidBucketName for anything else, and the store refuses to make a path of it.
/// Only lower-case letters, digits, '.' and '-' get through, never "." or "..", so a valid name is
/// always one safe directory name.
/// </summary>
public static class BucketName
{
    public const int MaxLength = 63;

    public static bool IsValid(ReadOnlySpan<byte> name)
    {
        if (name.Length is < 3 or > MaxLength || !IsLowerAlphanumeric(name[0]) || !IsLowerAlphanumeric(name[^1]))
        {
            return false;
        }

        for (int i = 0; i < name.Length; i++)
        {
            byte c = name[i];
            if (!IsLowerAlphanumeric(c) && c != (byte)'-' && c != (byte)'.')
            {
                return false;
            }

            // "..", ".-" and "-.": i > 0 here, since the first byte is alphanumeric.
            if ((c == (byte)'.' && name[i - 1] is (byte)'.' or (byte)'-') || (c == (byte)'-' && name[i - 1] == (byte)'.'))
            {
                return false;
            }
        }

        return !LooksLikeIpAddress(name)
            && !name.StartsWith("xn--"u8) && !name.StartsWith("sthree-"u8) && !name.StartsWith("amzn-s3-demo-"u8)
            && !name.EndsWith("-s3alias"u8) && !name.EndsWith("--ol-s3"u8) && !name.EndsWith(".mrap"u8)
            && !name.EndsWith("--x-s3"u8) && !name.EndsWith("--table-s3"u8);
    }

    /// <summary>The same rules for a name read from disk (a directory listing).</summary>
    public static bool IsValid(string name)
    {
        Span<byte> bytes = stackalloc byte[64];
        return name.Length <= bytes.Length && System.Text.Ascii.IsValid(name)
            && IsValid(bytes[..System.Text.Encoding.ASCII.GetBytes(name, bytes)]);
    }

    private static bool IsLowerAlphanumeric(byte c) => c is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9');

    private static bool LooksLikeIpAddress(ReadOnlySpan<byte> name)
    {
        int parts = 0;
        foreach (Range range in name.Split((byte)'.'))
        {
            ReadOnlySpan<byte> part = name[range];
            if (part.IsEmpty || part.Length > 3 || part.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
            {
                return false;
            }

            parts++;
        }

        return parts == 4;
    }
}
