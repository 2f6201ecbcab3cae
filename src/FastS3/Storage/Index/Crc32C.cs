using System.Buffers.Binary;
using System.Runtime.Intrinsics.X86;

namespace FastS3.Storage.Index;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of WAL records, table blocks and the MANIFEST: SSE4.2's crc32
/// instruction eight bytes at a time, a table when the CPU lacks it.
/// </summary>
internal static class Crc32C
{
    private const uint ReversedPolynomial = 0x82F63B78;

    private static readonly uint[] Table = CreateTable();

    public static uint Compute(ReadOnlySpan<byte> data) => ~(Sse42.IsSupported ? UpdateSse42(~0u, data) : UpdateSoftware(~0u, data));

    /// <summary>The table-driven path, kept callable so tests can check both agree.</summary>
    internal static uint ComputeSoftware(ReadOnlySpan<byte> data) => ~UpdateSoftware(~0u, data);

    private static uint UpdateSse42(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong wide = crc;
            while (data.Length >= 8)
            {
                wide = Sse42.X64.Crc32(wide, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }

            crc = (uint)wide;
        }

        foreach (byte b in data)
        {
            crc = Sse42.Crc32(crc, b);
        }

        return crc;
    }

    private static uint UpdateSoftware(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] table = Table;
        foreach (byte b in data)
        {
            crc = table[(byte)(crc ^ b)] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint entry = i;
            for (int bit = 0; bit < 8; bit++)
            {
                entry = (entry & 1) != 0 ? (entry >> 1) ^ ReversedPolynomial : entry >> 1;
            }

            table[i] = entry;
        }

        return table;
    }
}
