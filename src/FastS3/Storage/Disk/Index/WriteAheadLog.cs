using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using System.IO.Hashing;
using FastS3.Storage.Disk.Native;

namespace FastS3.Storage.Disk.Index;

/// <summary>
/// The write-ahead log behind one memtable. Each record, little-endian:
/// <code>
/// u32 CRC-32C of the rest | u32 length of the rest | u8 kind | u16 key length | key | value
/// </code>
/// kind is 1 (put) or 2 (delete), plus 0x80 when the key existed before the write, which keeps
/// the live count exact through replay, and 0x40 when the next record belongs to the same write
/// (keys written together: replayed all or none). Records are appended a commit group at a time
/// and made durable by one fdatasync. Replay stops at the first short or corrupt record: a torn
/// tail, from a group whose fdatasync never returned, so none of it was acknowledged.
/// Blocks are reserved ahead of the end (fallocate, size unchanged) so that a full disk refuses a
/// group cleanly, before any byte of it is written, and keeps <see cref="DeleteReserve"/> for
/// groups of deletes only: deleting objects, the way to free space, works on a full disk.
/// </summary>
internal sealed class WriteAheadLog : IDisposable
{
    /// <summary>Room past the end that only groups of deletes may use (over a thousand deletes of 50-byte keys).</summary>
    public const int DeleteReserve = 64 * 1024;

    private const int HeaderLength = 11;
    private const byte Put = 1;
    private const byte Delete = 2;
    private const byte Existed = 0x80;
    private const byte Continues = 0x40;

    private readonly SafeFileHandle _handle;
    private long _length;

    // Where the reserved blocks end; the file's own size stays _length.
    private long _reserved;

    private WriteAheadLog(string path, SafeFileHandle handle, long length)
    {
        Path = path;
        _handle = handle;
        _length = _reserved = length;
    }

    public string Path { get; }

    /// <summary>Creates an empty log; the caller syncs the directory before relying on it.</summary>
    public static WriteAheadLog Create(string directory, long number)
    {
        string path = IndexFiles.Wal(directory, number);
        return new WriteAheadLog(path, File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write), 0);
    }

    /// <summary>Reopens a replayed log for appending, cutting off a torn tail first.</summary>
    public static WriteAheadLog OpenForAppend(string path, long validLength)
    {
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
        try
        {
            if (RandomAccess.GetLength(handle) != validLength)
            {
                RandomAccess.SetLength(handle, validLength);
                NativeFile.DataSync(handle, path);
            }

            return new WriteAheadLog(path, handle, validLength);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Encodes one record at the end of <paramref name="output"/>; a null value is a delete.
    /// <paramref name="continues"/>: the next record is part of the same write.
    /// </summary>
    public static void AppendRecord(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> key, byte[]? value, bool existed, bool continues)
    {
        int length = HeaderLength + key.Length + (value?.Length ?? 0);
        Span<byte> record = output.GetSpan(length)[..length];
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], length - 8);
        record[8] = (byte)((value is null ? Delete : Put) | (existed ? Existed : 0) | (continues ? Continues : 0));
        BinaryPrimitives.WriteUInt16LittleEndian(record[9..], (ushort)key.Length);
        key.CopyTo(record[HeaderLength..]);
        value.CopyTo(record[(HeaderLength + key.Length)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(record, Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, record[4..]));
        output.Advance(length);
    }

    /// <summary>
    /// Applies the log's valid writes to <paramref name="memtable"/> and returns the length of the
    /// valid prefix, which ends with a whole write; <paramref name="liveDelta"/> is how the writes
    /// changed the live key count.
    /// </summary>
    public static long Replay(string path, Memtable memtable, out long liveDelta)
    {
        byte[] bytes = File.ReadAllBytes(path);
        liveDelta = 0;
        int position = 0, applied = 0;
        while (TryRead(bytes.AsSpan(position), out int length, out byte kind, out _, out _))
        {
            position += length;
            if ((kind & Continues) == 0)
            {
                liveDelta += Apply(bytes.AsSpan(applied, position - applied), memtable);
                applied = position;
            }
        }

        return applied;
    }

    /// <summary>Puts the records of one whole write into <paramref name="memtable"/>; returns how they changed the live key count.</summary>
    private static long Apply(ReadOnlySpan<byte> records, Memtable memtable)
    {
        long liveDelta = 0;
        while (TryRead(records, out int length, out byte kind, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value))
        {
            bool isPut = (kind & ~(Existed | Continues)) == Put;
            memtable.Put(key.ToArray(), isPut ? value.ToArray() : null);
            liveDelta += (isPut ? 1 : 0) - ((kind & Existed) != 0 ? 1 : 0);
            records = records[length..];
        }

        return liveDelta;
    }

    /// <summary>
    /// Writes a commit group's records at the end of the log (not yet durable). A full disk throws
    /// <see cref="StorageFullException"/> with nothing of the group in the log: a group that adds
    /// values unless <see cref="DeleteReserve"/> stays reserved after it, one of
    /// <paramref name="deletesOnly"/> once it no longer fits in what is reserved.
    /// </summary>
    public void Append(ReadOnlySpan<byte> records, bool deletesOnly)
    {
        long end = _length + records.Length;
        if (!TryReserve(end + DeleteReserve) && (!deletesOnly || end > _reserved))
        {
            throw new StorageFullException($"{Path}: no space left to log the write");
        }

        try
        {
            RandomAccess.Write(_handle, records, _length);
        }
        catch (IOException exception) when (StorageFullException.IsNoSpace(exception))
        {
            // Where blocks cannot be reserved the write itself finds the disk full, part-way: cut
            // what it wrote off, or replay could bring back writes that were refused. (Whatever
            // was reserved past the end may go with it.)
            RandomAccess.SetLength(_handle, _length);
            _reserved = _length;
            throw new StorageFullException(exception.Message);
        }

        _length = end;
    }

    /// <summary>Reserves room for more records (at least <see cref="DeleteReserve"/>); false when the disk is full.</summary>
    public bool TryReserveAhead() => TryReserve(_length + DeleteReserve);

    public void Sync() => NativeFile.DataSync(_handle, Path);

    public void Dispose() => _handle.Dispose();

    /// <summary>
    /// Reserves blocks up to <paramref name="end"/>, and as much again beyond so this runs once per
    /// <see cref="DeleteReserve"/> logged; on a disk too full for that, just up to
    /// <paramref name="end"/> (which blocks reserved before, by an earlier run too, may cover).
    /// </summary>
    private bool TryReserve(long end)
    {
        if (end <= _reserved)
        {
            return true;
        }

        foreach (long target in (ReadOnlySpan<long>)[end + DeleteReserve, end])
        {
            if (NativeFile.TryReserve(_handle, _reserved, target - _reserved, Path))
            {
                _reserved = target;
                return true;
            }
        }

        return false;
    }

    private static bool TryRead(ReadOnlySpan<byte> bytes, out int length, out byte kind, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        length = 0;
        kind = 0;
        key = value = default;
        if (bytes.Length < HeaderLength)
        {
            return false;
        }

        uint rest = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        if (rest < HeaderLength - 8 || rest > (uint)(bytes.Length - 8)
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, bytes.Slice(4, 4 + (int)rest)))
        {
            return false;
        }

        length = 8 + (int)rest;
        kind = bytes[8];
        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[9..]);
        int valueLength = length - HeaderLength - keyLength;
        byte operation = (byte)(kind & ~(Existed | Continues));
        if (keyLength > OrderedIndex.MaxKeyLength || valueLength < 0 || valueLength > OrderedIndex.MaxValueLength
            || (operation != Put && operation != Delete) || (operation == Delete && valueLength != 0))
        {
            return false;
        }

        key = bytes.Slice(HeaderLength, keyLength);
        value = bytes.Slice(HeaderLength + keyLength, valueLength);
        return true;
    }
}
