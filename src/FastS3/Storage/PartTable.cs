using System.Buffers.Binary;
using System.IO.Hashing;

namespace FastS3.Storage;

/// <summary>One part of a multipart object: its number, data file and sizes (plaintext and stored).</summary>
public readonly record struct PartEntry(int Number, Guid DataId, long Size, long StoredSize);

/// <summary>
/// The part list of a multipart object, kept in a small file of its own that the object's record
/// names (a record holds at most 64 KiB; 10 000 parts do not fit). Parts stay in the files they
/// were uploaded to, so completing an upload writes this table and never copies part data.
/// <code>
///   "FS3P" | u8 version | u8 flags | u16 0 | u32 part count | 16 upload id
///   per part, ascending numbers: u32 number | 16 data id | i64 size | i64 stored size   (little-endian)
///   [flag bit 1: per part, 32 HMAC-SHA256 of upload id ‖ its entry under the object key's part-MAC subkey]
///   [flag bit 0: 32 HMAC-SHA256 of all the above under the object key's part-table subkey]
///   u32 CRC-32C of all the above
/// </code>
/// The CRC catches torn or damaged files; the MACs stop anyone without the customer key from
/// altering parts of an encrypted object. The table MAC (a Complete that had the key) binds the
/// whole list; per-part MACs (made at UploadPart, for a Complete sent without the key, as S3
/// allows) bind each entry to its upload, number, file and sizes, but not the list's length.
/// </summary>
public sealed class PartTable
{
    public const int MaxParts = 10_000;
    public const int MacSize = 32;
    private const byte Version = 1;
    private const int HeaderSize = 4 + 1 + 1 + 2 + 4 + 16;
    private const int EntrySize = 4 + 16 + 8 + 8;
    private const byte TableMacFlag = 1;
    private const byte PartMacsFlag = 2;

    private readonly long[] _starts;

    /// <summary>What a part's MAC covers: upload id ‖ its entry.</summary>
    public const int PartMacInputSize = 16 + EntrySize;

    private PartTable(byte[] uploadId, PartEntry[] parts, ReadOnlyMemory<byte> macInput, ReadOnlyMemory<byte> mac, ReadOnlyMemory<byte> partMacs)
    {
        UploadId = uploadId;
        Parts = parts;
        MacInput = macInput;
        Mac = mac;
        PartMacs = partMacs;
        _starts = new long[parts.Length + 1];
        for (int i = 0; i < parts.Length; i++)
        {
            _starts[i + 1] = _starts[i] + parts[i].Size;
        }
    }

    private static ReadOnlySpan<byte> Magic => "FS3P"u8;

    /// <summary>The upload this object was completed from (16 bytes).</summary>
    public byte[] UploadId { get; }

    public PartEntry[] Parts { get; }

    /// <summary>The bytes the MAC covers.</summary>
    public ReadOnlyMemory<byte> MacInput { get; }

    /// <summary>The table MAC; empty for plain objects and for tables with per-part MACs.</summary>
    public ReadOnlyMemory<byte> Mac { get; }

    /// <summary>One MAC per part, in part order (<see cref="MacSize"/> bytes each); empty unless the table was completed without the key.</summary>
    public ReadOnlyMemory<byte> PartMacs { get; }

    public long Size => _starts[^1];

    /// <summary>Where part <paramref name="index"/> (position, not number) starts in the object's plaintext.</summary>
    public long StartOf(int index) => _starts[index];

    /// <summary>The position of the part holding plaintext byte <paramref name="offset"/> (&lt; <see cref="Size"/>).</summary>
    public int IndexOf(long offset)
    {
        int found = Array.BinarySearch(_starts, offset);
        int index = found >= 0 ? found : ~found - 1;

        // Empty parts share their start with the next part; the byte lives in the last of them.
        while (index + 1 < Parts.Length && _starts[index + 1] <= offset)
        {
            index++;
        }

        return index;
    }

    /// <summary>
    /// Serializes a table: with a table MAC made by <paramref name="tableMac"/> (SSE-C, Complete had
    /// the key), with <paramref name="partMacs"/> (SSE-C, it had not), or with neither (plain).
    /// </summary>
    public static byte[] Build(ReadOnlySpan<byte> uploadId, ReadOnlySpan<PartEntry> parts, MacWriter? tableMac = null, ReadOnlySpan<byte> partMacs = default)
    {
        if (!partMacs.IsEmpty && (tableMac is not null || partMacs.Length != parts.Length * MacSize))
        {
            throw new ArgumentException("Part MACs go alone, one per part.", nameof(partMacs));
        }

        int length = HeaderSize + (parts.Length * EntrySize) + partMacs.Length + (tableMac is null ? 0 : MacSize) + 4;
        byte[] bytes = new byte[length];
        Span<byte> span = bytes;
        Magic.CopyTo(span);
        span[4] = Version;
        span[5] = (byte)(tableMac is not null ? TableMacFlag : partMacs.IsEmpty ? 0 : PartMacsFlag);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], parts.Length);
        uploadId.CopyTo(span.Slice(12, 16));
        int at = HeaderSize;
        foreach (PartEntry part in parts)
        {
            WriteEntry(part, span.Slice(at, EntrySize));
            at += EntrySize;
        }

        partMacs.CopyTo(span[at..]);
        at += partMacs.Length;
        if (tableMac is not null)
        {
            tableMac(span[..at], span.Slice(at, MacSize));
            at += MacSize;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, span[..at]));
        return bytes;
    }

    /// <summary>Writes what part <paramref name="part"/>'s MAC covers (<see cref="PartMacInputSize"/> bytes): the upload id, then the part's table entry.</summary>
    public static void WritePartMacInput(ReadOnlySpan<byte> uploadId, PartEntry part, Span<byte> destination)
    {
        uploadId.CopyTo(destination[..16]);
        WriteEntry(part, destination.Slice(16, EntrySize));
    }

    private static void WriteEntry(PartEntry part, Span<byte> entry)
    {
        BinaryPrimitives.WriteInt32LittleEndian(entry, part.Number);
        part.DataId.TryWriteBytes(entry.Slice(4, 16));
        BinaryPrimitives.WriteInt64LittleEndian(entry[20..], part.Size);
        BinaryPrimitives.WriteInt64LittleEndian(entry[28..], part.StoredSize);
    }

    public delegate void MacWriter(ReadOnlySpan<byte> table, Span<byte> mac);

    public static bool TryParse(byte[] bytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PartTable? table)
    {
        table = null;
        ReadOnlySpan<byte> span = bytes;
        if (span.Length < HeaderSize + 4 || !span.StartsWith(Magic) || span[4] != Version || span[5] is not (0 or TableMacFlag or PartMacsFlag))
        {
            return false;
        }

        int count = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        int tableMacLength = span[5] == TableMacFlag ? MacSize : 0;
        int partMacsLength = span[5] == PartMacsFlag ? count * MacSize : 0;
        if (count is < 1 or > MaxParts || span.Length != HeaderSize + (count * EntrySize) + partMacsLength + tableMacLength + 4)
        {
            return false;
        }

        int end = span.Length - 4;
        if (BinaryPrimitives.ReadUInt32LittleEndian(span[end..]) != Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, span[..end]))
        {
            return false;
        }

        var parts = new PartEntry[count];
        int at = HeaderSize;
        for (int i = 0; i < count; i++)
        {
            var part = new PartEntry(
                BinaryPrimitives.ReadInt32LittleEndian(span[at..]),
                new Guid(span.Slice(at + 4, 16)),
                BinaryPrimitives.ReadInt64LittleEndian(span[(at + 20)..]),
                BinaryPrimitives.ReadInt64LittleEndian(span[(at + 28)..]));
            if (part.Number is < 1 or > MaxParts || (i > 0 && part.Number <= parts[i - 1].Number) || part.Size < 0 || part.StoredSize < 0)
            {
                return false;
            }

            parts[i] = part;
            at += EntrySize;
        }

        ReadOnlyMemory<byte> partMacs = bytes.AsMemory(at, partMacsLength);
        at += partMacsLength;
        table = new PartTable(span.Slice(12, 16).ToArray(), parts, bytes.AsMemory(0, at), bytes.AsMemory(at, tableMacLength), partMacs);
        return true;
    }
}
