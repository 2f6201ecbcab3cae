using System.Buffers.Binary;
using System.IO.Hashing;
using FastS3.Storage.Disk.Native;

namespace FastS3.Storage.Disk.Index;

/// <summary>
/// The MANIFEST: the tables that make up the index (newest first), the oldest WAL still to replay,
/// the next file number, and the live key count as of that WAL. It is replaced whole (written to
/// MANIFEST.tmp, synced, renamed over MANIFEST, directory synced), so a crash leaves the old one or
/// the new one. Layout, little-endian: "FS3MANIF", u32 version, u64 next file number, u64 log number,
/// i64 live count, u32 table count, u64 table numbers, u32 CRC-32C of everything before it.
/// </summary>
internal sealed record Manifest(long NextFileNumber, long LogNumber, long LiveCount, long[] Tables)
{
    private const uint Version = 1;
    private const int FixedLength = 8 + 4 + 8 + 8 + 8 + 4;

    private static ReadOnlySpan<byte> Magic => "FS3MANIF"u8;

    public static Manifest Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        ReadOnlySpan<byte> span = bytes;
        if (span.Length < FixedLength + 4 || !span[..8].SequenceEqual(Magic))
        {
            throw Corrupt(path, "not a manifest");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(span[^4..]) != Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, span[..^4]))
        {
            throw Corrupt(path, "checksum mismatch");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(span[8..]) != Version)
        {
            throw Corrupt(path, "unknown version");
        }

        long next = BinaryPrimitives.ReadInt64LittleEndian(span[12..]);
        long log = BinaryPrimitives.ReadInt64LittleEndian(span[20..]);
        long live = BinaryPrimitives.ReadInt64LittleEndian(span[28..]);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(span[36..]);
        if (span.Length != FixedLength + (8L * count) + 4)
        {
            throw Corrupt(path, "length does not match the table count");
        }

        var tables = new long[count];
        for (int i = 0; i < tables.Length; i++)
        {
            tables[i] = BinaryPrimitives.ReadInt64LittleEndian(span[(FixedLength + (8 * i))..]);
        }

        return new Manifest(next, log, live, tables);
    }

    public void Write(string directory)
    {
        var bytes = new byte[FixedLength + (8 * Tables.Length) + 4];
        Span<byte> span = bytes;
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], NextFileNumber);
        BinaryPrimitives.WriteInt64LittleEndian(span[20..], LogNumber);
        BinaryPrimitives.WriteInt64LittleEndian(span[28..], LiveCount);
        BinaryPrimitives.WriteUInt32LittleEndian(span[36..], (uint)Tables.Length);
        for (int i = 0; i < Tables.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[(FixedLength + (8 * i))..], Tables[i]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[^4..], Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, span[..^4]));

        string temporary = Path.Combine(directory, IndexFiles.TemporaryManifest);
        try
        {
            using var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // A full disk, most likely: the MANIFEST in place stays current; the partial copy goes.
            File.Delete(temporary);
            throw;
        }

        File.Move(temporary, Path.Combine(directory, IndexFiles.Manifest), overwrite: true);
        NativeFile.SyncDirectory(directory);
    }

    private static InvalidDataException Corrupt(string path, string reason) => new($"{path}: {reason}");
}
