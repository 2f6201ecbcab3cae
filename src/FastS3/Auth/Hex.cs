namespace FastS3.Auth;

/// <summary>Lower-case hex, as SigV4 writes digests and signatures, over bytes.</summary>
internal static class Hex
{
    private static ReadOnlySpan<byte> Digits => "0123456789abcdef"u8;

    public static int Encode(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            destination[2 * i] = Digits[bytes[i] >> 4];
            destination[(2 * i) + 1] = Digits[bytes[i] & 0xF];
        }

        return bytes.Length * 2;
    }

    /// <summary>Decodes hex of either case; false on any other character or an odd length.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> hex, Span<byte> destination)
    {
        if (hex.Length % 2 != 0 || destination.Length < hex.Length / 2)
        {
            return false;
        }

        for (int i = 0; i < hex.Length / 2; i++)
        {
            int high = Value(hex[2 * i]);
            int low = Value(hex[(2 * i) + 1]);
            if ((high | low) < 0)
            {
                return false;
            }

            destination[i] = (byte)((high << 4) | low);
        }

        return true;
    }

    /// <summary>The value of one hex digit of either case, or -1.</summary>
    internal static int Value(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
