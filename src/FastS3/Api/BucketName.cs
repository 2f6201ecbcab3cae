namespace FastS3.Api;

/// <summary>S3's general-purpose bucket naming rules; anything else is 400 InvalidBucketName.</summary>
public static class BucketName
{
    public static bool IsValid(ReadOnlySpan<byte> name)
    {
        if (name.Length is < 3 or > 63 || !IsLowerAlphanumeric(name[0]) || !IsLowerAlphanumeric(name[^1]))
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

            if (c == (byte)'.' && name[i - 1] == (byte)'.')
            {
                return false;
            }
        }

        return !LooksLikeIpAddress(name)
            && !name.StartsWith("xn--"u8) && !name.StartsWith("sthree-"u8) && !name.StartsWith("amzn-s3-demo-"u8)
            && !name.EndsWith("-s3alias"u8) && !name.EndsWith("--ol-s3"u8) && !name.EndsWith(".mrap"u8)
            && !name.EndsWith("--x-s3"u8) && !name.EndsWith("--table-s3"u8);
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
