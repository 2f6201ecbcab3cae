using System.Buffers.Binary;
using System.IO.Hashing;

namespace FastS3.Storage.Disk.Index;

/// <summary>
/// Table file layout (integers little-endian, varints LEB128):
/// <code>
/// data block*  entry* then u32 CRC-32C of the entries. Entry: varint shared, varint unshared,
///              varint value tag (0 = tombstone, else value length + 1), key[shared..], value.
///              Keys are prefix-compressed against the previous key of the same block.
/// index block  (varint key length, last key of the block, varint offset, varint length)*, u32 CRC-32C.
/// footer       u64 index offset, u32 index length, u64 entry count, u32 version, "FS3TABLE",
///              u32 CRC-32C of the footer before it (36 bytes). The entry count is for tools.
/// </code>
/// Indexing by each block's last key sends a lookup or seek straight to the one block that can
/// hold the key.
/// </summary>
internal static class TableFormat
{
    public const int FooterLength = 36;
    public const int BlockTrailerLength = 4;
    private const uint Version = 1;

    private static ReadOnlySpan<byte> Magic => "FS3TABLE"u8;

    public static void WriteFooter(Span<byte> footer, long indexOffset, int indexLength, long entryCount)
    {
        BinaryPrimitives.WriteInt64LittleEndian(footer, indexOffset);
        BinaryPrimitives.WriteInt32LittleEndian(footer[8..], indexLength);
        BinaryPrimitives.WriteInt64LittleEndian(footer[12..], entryCount);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[20..], Version);
        Magic.CopyTo(footer[24..]);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[32..], Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, footer[..32]));
    }

    public static void ReadFooter(ReadOnlySpan<byte> footer, string path, out long indexOffset, out int indexLength)
    {
        if (!footer.Slice(24, 8).SequenceEqual(Magic) || BinaryPrimitives.ReadUInt32LittleEndian(footer[32..]) != Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, footer[..32]))
        {
            throw Corrupt(path, "bad footer");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(footer[20..]) != Version)
        {
            throw Corrupt(path, "unknown version");
        }

        indexOffset = BinaryPrimitives.ReadInt64LittleEndian(footer);
        indexLength = BinaryPrimitives.ReadInt32LittleEndian(footer[8..]);
    }

    /// <summary>Checks a block's trailing CRC; returns the length of its entries.</summary>
    public static int VerifyBlock(ReadOnlySpan<byte> block, string path, long offset)
    {
        if (block.Length < BlockTrailerLength
            || BinaryPrimitives.ReadUInt32LittleEndian(block[^BlockTrailerLength..]) != Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, block[..^BlockTrailerLength]))
        {
            throw Corrupt(path, $"checksum mismatch in the block at {offset}");
        }

        return block.Length - BlockTrailerLength;
    }

    /// <summary>
    /// Decodes the entry at <paramref name="position"/> and moves past it. <paramref name="key"/>
    /// holds the previous key of the block (<paramref name="keyLength"/> bytes) and is extended in
    /// place. <paramref name="valueLength"/> is -1 for a tombstone.
    /// </summary>
    public static void ReadEntry(ReadOnlySpan<byte> entries, ref int position, Span<byte> key, ref int keyLength, out int valueOffset, out int valueLength)
    {
        ulong shared = Varint.Read(entries, ref position);
        ulong unshared = Varint.Read(entries, ref position);
        ulong tag = Varint.Read(entries, ref position);
        if (shared > (ulong)keyLength || unshared > (ulong)(OrderedIndex.MaxKeyLength - (int)shared) || tag > OrderedIndex.MaxValueLength + 1)
        {
            throw new InvalidDataException("malformed table entry");
        }

        valueLength = (int)tag - 1;
        int suffixEnd = position + (int)unshared;
        if (suffixEnd + Math.Max(valueLength, 0) > entries.Length)
        {
            throw new InvalidDataException("table entry runs past its block");
        }

        entries[position..suffixEnd].CopyTo(key[(int)shared..]);
        keyLength = (int)(shared + unshared);
        valueOffset = suffixEnd;
        position = suffixEnd + Math.Max(valueLength, 0);
    }

    public static InvalidDataException Corrupt(string path, string reason) => new($"{path}: {reason}");
}
