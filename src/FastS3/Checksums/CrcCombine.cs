namespace FastS3.Checksums;

/// <summary>
/// CRC(A || B) from CRC(A), CRC(B) and the length of B, without the data: zlib's crc32_combine,
/// generalised to 64 bits. For these reflected CRCs with all-ones init and final XOR, the init
/// and XOR terms cancel, leaving CRC(A) * x^(8·|B|) mod P, XOR CRC(B), in GF(2)[x]. This is how a
/// FULL_OBJECT multipart checksum is built from part checksums.
/// </summary>
public static class CrcCombine
{
    // Reflected polynomials (bit 0 is the x^(width-1) coefficient).
    private const ulong Crc32Polynomial = 0xEDB88320;
    private const ulong Crc32CPolynomial = 0x82F63B78;
    private const ulong Crc64NvmePolynomial = 0x9A6C9329AC4BC9B5; // bit-reversed 0xAD93D23594C93659

    // x^(8·2^k) mod P for k = 0..63: shifting by n bytes then costs one product per set bit of n.
    private static readonly ulong[] Crc32Powers = BytePowers(Crc32Polynomial, 32);
    private static readonly ulong[] Crc32CPowers = BytePowers(Crc32CPolynomial, 32);
    private static readonly ulong[] Crc64NvmePowers = BytePowers(Crc64NvmePolynomial, 64);

    public static uint Crc32(uint first, uint second, long secondLength)
        => (uint)Combine(first, second, secondLength, Crc32Powers, Crc32Polynomial, 32);

    public static uint Crc32C(uint first, uint second, long secondLength)
        => (uint)Combine(first, second, secondLength, Crc32CPowers, Crc32CPolynomial, 32);

    public static ulong Crc64Nvme(ulong first, ulong second, long secondLength)
        => Combine(first, second, secondLength, Crc64NvmePowers, Crc64NvmePolynomial, 64);

    private static ulong Combine(ulong first, ulong second, long secondLength, ulong[] powers, ulong polynomial, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(secondLength);
        ulong shifted = first;
        for (int k = 0; secondLength != 0; k++, secondLength >>= 1)
        {
            if ((secondLength & 1) != 0)
            {
                shifted = Multiply(powers[k], shifted, polynomial, width);
            }
        }

        return shifted ^ second;
    }

    /// <summary>a·b mod P, both in reflected form (the top bit of the width is x^0).</summary>
    private static ulong Multiply(ulong a, ulong b, ulong polynomial, int width)
    {
        ulong product = 0;
        for (ulong bit = 1UL << (width - 1); bit != 0; bit >>= 1)
        {
            if ((a & bit) != 0)
            {
                product ^= b;
            }

            // b *= x: one step right in reflected form, reduced by P when x^(width-1) falls off.
            b = (b & 1) != 0 ? (b >> 1) ^ polynomial : b >> 1;
        }

        return product;
    }

    private static ulong[] BytePowers(ulong polynomial, int width)
    {
        var powers = new ulong[64];
        powers[0] = 1UL << (width - 1 - 8); // x^8 needs no reduction
        for (int k = 1; k < powers.Length; k++)
        {
            powers[k] = Multiply(powers[k - 1], powers[k - 1], polynomial, width);
        }

        return powers;
    }
}
