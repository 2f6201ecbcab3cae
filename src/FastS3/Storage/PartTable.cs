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
///   "FS3P" | u8 version | u8 flags (bit 0: MAC present) | u16 0 | u32 part count | 16 upload id
///   per part, ascending numbers: u32 number | 16 data id | i64 size | i64 stored size   (little-endian)
///   [32 HMAC-SHA256 of all the above under the object key's part-table subkey: SSE-C objects]
///   u32 CRC-32C of all the above
/// </code>
/// The CRC catches torn or damaged files; the MAC stops anyone without the customer key from
/// dropping, reordering or resizing parts of an encrypted object.
/// </summary>
public sealed class PartTable
{
    public const int MaxParts = 10_000;
    public const int MacSize = 32;
    private const byte Version = 1;
    private const int HeaderSize = 4 + 1 + 1 + 2 + 4 + 16;
    private const int EntrySize = 4 + 16 + 8 + 8;

    private readonly long[] _starts;

    private PartTable(byte[] uploadId, PartEntry[] parts, ReadOnlyMemory<byte> macInput, ReadOnlyMemory<byte> mac)
    {
        UploadId = uploadId;
        Parts = parts;
        MacInput = macInput;
        Mac = mac;
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

    /// <summary>Empty for plain objects.</summary>
    public ReadOnlyMemory<byte> Mac { get; }

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
    /// Serializes a table. <paramref name="macKey"/> is the object key for SSE-C objects (the MAC is
    /// computed by <paramref name="mac"/>), empty for plain ones.
    /// </summary>
    public static byte[] Build(ReadOnlySpan<byte> uploadId, ReadOnlySpan<PartEntry> parts, bool withMac, MacWriter? mac)
    {
        int length = HeaderSize + (parts.Length * EntrySize) + (withMac ? MacSize : 0) + 4;
        byte[] bytes = new byte[length];
        Span<byte> span = bytes;
        Magic.CopyTo(span);
        span[4] = Version;
        span[5] = (byte)(withMac ? 1 : 0);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], parts.Length);
        uploadId.CopyTo(span.Slice(12, 16));
        int at = HeaderSize;
        foreach (PartEntry part in parts)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], part.Number);
            part.DataId.TryWriteBytes(span.Slice(at + 4, 16));
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 20)..], part.Size);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 28)..], part.StoredSize);
            at += EntrySize;
        }

        if (withMac)
        {
            mac!(span[..at], span.Slice(at, MacSize));
            at += MacSize;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, span[..at]));
        return bytes;
    }

    public delegate void MacWriter(ReadOnlySpan<byte> table, Span<byte> mac);

    public static bool TryParse(byte[] bytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PartTable? table)
    {
        table = null;
        ReadOnlySpan<byte> span = bytes;
        if (span.Length < HeaderSize + 4 || !span.StartsWith(Magic) || span[4] != Version || span[5] > 1)
        {
            return false;
        }

        bool hasMac = span[5] == 1;
        int count = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        if (count is < 1 or > MaxParts || span.Length != HeaderSize + (count * EntrySize) + (hasMac ? MacSize : 0) + 4)
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

        table = new PartTable(
            span.Slice(12, 16).ToArray(),
            parts,
            bytes.AsMemory(0, at),
            hasMac ? bytes.AsMemory(at, MacSize) : ReadOnlyMemory<byte>.Empty);
        return true;
    }

    /// <summary>Reads and validates the table file at <paramref name="path"/>; null when it is missing or damaged.</summary>
    public static async ValueTask<PartTable?> ReadAsync(string path)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        return TryParse(bytes, out PartTable? table) ? table : null;
    }
}
