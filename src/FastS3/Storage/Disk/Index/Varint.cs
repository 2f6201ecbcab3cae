using System.Buffers;

namespace FastS3.Storage.Disk.Index;

/// <summary>Unsigned LEB128, for the lengths and offsets inside table files.</summary>
internal static class Varint
{
    public const int MaxLength = 10;

    public static void Write(IBufferWriter<byte> writer, ulong value)
    {
        Span<byte> destination = writer.GetSpan(MaxLength);
        int length = 0;
        while (value >= 0x80)
        {
            destination[length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[length++] = (byte)value;
        writer.Advance(length);
    }

    /// <summary>Reads the varint at <paramref name="position"/> and moves past it.</summary>
    public static ulong Read(ReadOnlySpan<byte> source, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if ((uint)position >= (uint)source.Length)
            {
                throw new InvalidDataException("truncated varint");
            }

            byte b = source[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("varint longer than 64 bits");
    }
}
