namespace FastS3.Basics;

/// <summary>Lower-case hex, as SigV4 writes digests and signatures, over bytes: .NET's codec, with S3's rules.</summary>
internal static class Hex
{
    /// <summary>Writes <paramref name="bytes"/> as lower-case hex (twice as long) and returns its length.</summary>
    public static int Encode(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        if (!Convert.TryToHexStringLower(bytes, destination, out int written))
        {
            throw new ArgumentException("The destination is too short.", nameof(destination));
        }

        return written;
    }

    /// <summary>Decodes hex of either case; false on any other character or an odd length.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> hex, Span<byte> destination)
        => hex.Length % 2 == 0 && destination.Length >= hex.Length / 2
            && Convert.FromHexString(hex, destination, out _, out int written) == System.Buffers.OperationStatus.Done && written == hex.Length / 2;
}
