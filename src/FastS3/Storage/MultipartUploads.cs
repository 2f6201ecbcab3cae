using System.Buffers.Binary;
using System.Security.Cryptography;

namespace FastS3.Storage;

/// <summary>
/// A bucket's multipart uploads in progress, in a record table of their own (so object listings
/// never see them):
/// <code>
///   'u' ‖ object key ‖ 0x00 ‖ upload id (16)   → the upload's record: content headers, encryption, checksum algorithm
///   'p' ‖ upload id (16) ‖ u16 BE part number  → the part's record: data file, sizes, ETag, checksum
/// </code>
/// Upload ids start with the creation time, so one key's uploads list in the order they began.
/// Part data lives in the bucket's data directory like any object's; completing an upload hands
/// those files to the object (see <see cref="PartTable"/>) and leaves a record of the completion
/// (see <see cref="CompletedUploads"/>). A per-upload gate orders part commits against Complete
/// and Abort, so no part lands in an upload that is gone.
/// </summary>
public sealed class MultipartUploads
{
    public const int UploadIdSize = 16;
    public const int UploadIdHexLength = 2 * UploadIdSize;
    private const byte UploadTag = (byte)'u';
    private const byte PartTag = (byte)'p';

    // Striped: uploads share a gate now and then, which costs nothing but a short wait.
    private readonly SemaphoreSlim[] _gates = CreateGates(64);

    internal MultipartUploads(IRecordTable records) => Records = records;

    /// <summary>The uploads' and parts' records, keyed as above.</summary>
    public IRecordTable Records { get; }

    /// <summary>A new upload id: 8 bytes of creation time (big-endian ticks), then 8 random bytes.</summary>
    public static void NewUploadId(Span<byte> id)
    {
        BinaryPrimitives.WriteInt64BigEndian(id, DateTime.UtcNow.Ticks);
        RandomNumberGenerator.Fill(id[8..UploadIdSize]);
    }

    /// <summary>When the upload with <paramref name="id"/> was created, in UTC ticks.</summary>
    public static long CreationTicks(ReadOnlySpan<byte> id) => BinaryPrimitives.ReadInt64BigEndian(id);

    public static byte[] UploadKey(ReadOnlySpan<byte> objectKey, ReadOnlySpan<byte> uploadId)
    {
        byte[] key = new byte[1 + objectKey.Length + 1 + UploadIdSize];
        key[0] = UploadTag;
        objectKey.CopyTo(key.AsSpan(1));
        uploadId.CopyTo(key.AsSpan(objectKey.Length + 2));
        return key;
    }

    /// <summary>Where the uploads of keys starting with <paramref name="objectKeyPrefix"/> begin.</summary>
    public static byte[] UploadKeyPrefix(ReadOnlySpan<byte> objectKeyPrefix)
    {
        byte[] key = new byte[1 + objectKeyPrefix.Length];
        key[0] = UploadTag;
        objectKeyPrefix.CopyTo(key.AsSpan(1));
        return key;
    }

    /// <summary>Splits an index key of an upload record; false for any other key.</summary>
    public static bool TrySplitUploadKey(ReadOnlySpan<byte> indexKey, out ReadOnlySpan<byte> objectKey, out ReadOnlySpan<byte> uploadId)
    {
        objectKey = default;
        uploadId = default;
        if (indexKey.Length < 1 + 1 + UploadIdSize || indexKey[0] != UploadTag || indexKey[^(UploadIdSize + 1)] != 0)
        {
            return false;
        }

        objectKey = indexKey[1..^(UploadIdSize + 1)];
        uploadId = indexKey[^UploadIdSize..];
        return true;
    }

    public static byte[] PartKey(ReadOnlySpan<byte> uploadId, int partNumber)
    {
        byte[] key = new byte[1 + UploadIdSize + 2];
        key[0] = PartTag;
        uploadId.CopyTo(key.AsSpan(1));
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(1 + UploadIdSize), (ushort)partNumber);
        return key;
    }

    /// <summary>The part number of a part record's index key, or 0 when the key belongs to another upload.</summary>
    public static int PartNumberOf(ReadOnlySpan<byte> indexKey, ReadOnlySpan<byte> uploadId)
        => indexKey.Length == 1 + UploadIdSize + 2 && indexKey[0] == PartTag && indexKey.Slice(1, UploadIdSize).SequenceEqual(uploadId)
            ? BinaryPrimitives.ReadUInt16BigEndian(indexKey[(1 + UploadIdSize)..])
            : 0;

    /// <summary>The gate that orders writes to one upload's parts against its Complete and Abort.</summary>
    public SemaphoreSlim Gate(ReadOnlySpan<byte> uploadId)
        => _gates[(int)(BinaryPrimitives.ReadUInt64LittleEndian(uploadId[8..]) % (ulong)_gates.Length)];

    /// <summary>
    /// Forgets an upload (caller holds its gate): its record, then its part records, deleting each
    /// part's data unless <paramref name="keep"/> (the completed object's parts) still uses it.
    /// </summary>
    public async ValueTask RemoveAsync(Bucket bucket, byte[] uploadKey, ReadOnlyMemory<byte> uploadId, PartEntry[]? keep)
    {
        await Records.DeleteAsync(uploadKey);
        HashSet<Guid>? kept = keep?.Select(p => p.DataId).ToHashSet();
        foreach ((byte[] partKey, Guid dataId) in PartFiles(uploadId.Span))
        {
            await Records.DeleteAsync(partKey);
            if (kept is null || !kept.Contains(dataId))
            {
                bucket.DeleteData(dataId);
            }
        }
    }

    /// <summary>
    /// Start-up repair, before any request: an upload whose Complete committed its object (and so
    /// the record of its completion) but died before tidying up is finished off, also when the
    /// object was overwritten or deleted meanwhile, and part records of uploads that are gone are
    /// dropped. Files are left to the orphan sweep that follows.
    /// </summary>
    internal async ValueTask<int> RecoverAsync(Bucket bucket)
    {
        var open = new HashSet<UInt128>();
        var completed = new List<byte[]>();
        foreach ((byte[] uploadKey, byte[] objectKey, byte[] uploadId) in ListAll())
        {
            if (bucket.CompletedUploads.Contains(uploadId, objectKey))
            {
                completed.Add(uploadKey);
            }
            else
            {
                open.Add(BinaryPrimitives.ReadUInt128BigEndian(uploadId));
            }
        }

        foreach (byte[] uploadKey in completed)
        {
            await Records.DeleteAsync(uploadKey);
        }

        var orphanedParts = new List<byte[]>();
        using (IRecordCursor parts = Records.Seek([PartTag]))
        {
            while (parts.MoveNext() && parts.Key[0] == PartTag)
            {
                if (parts.Key.Length != 1 + UploadIdSize + 2 || !open.Contains(BinaryPrimitives.ReadUInt128BigEndian(parts.Key[1..])))
                {
                    orphanedParts.Add(parts.Key.ToArray());
                }
            }
        }

        foreach (byte[] partKey in orphanedParts)
        {
            await Records.DeleteAsync(partKey);
        }

        return completed.Count;
    }

    /// <summary>Adds the data files of every part still in an upload to <paramref name="live"/>.</summary>
    internal void AddLiveData(HashSet<Guid> live)
    {
        using IRecordCursor parts = Records.Seek([PartTag]);
        while (parts.MoveNext() && parts.Key[0] == PartTag)
        {
            if (ObjectRecord.TryRead(parts.Value, out ObjectRecord part) && part.DataId != Guid.Empty)
            {
                live.Add(part.DataId);
            }
        }
    }

    private List<(byte[] Key, Guid DataId)> PartFiles(ReadOnlySpan<byte> uploadId)
    {
        var files = new List<(byte[], Guid)>();
        using IRecordCursor parts = Records.Seek(PartKey(uploadId, 0));
        while (parts.MoveNext() && PartNumberOf(parts.Key, uploadId) > 0)
        {
            ObjectRecord.TryRead(parts.Value, out ObjectRecord part);
            files.Add((parts.Key.ToArray(), part.DataId));
        }

        return files;
    }

    private List<(byte[] UploadKey, byte[] ObjectKey, byte[] UploadId)> ListAll()
    {
        var all = new List<(byte[], byte[], byte[])>();
        using IRecordCursor uploads = Records.Seek([UploadTag]);
        while (uploads.MoveNext() && TrySplitUploadKey(uploads.Key, out ReadOnlySpan<byte> objectKey, out ReadOnlySpan<byte> uploadId))
        {
            all.Add((uploads.Key.ToArray(), objectKey.ToArray(), uploadId.ToArray()));
        }

        return all;
    }

    private static SemaphoreSlim[] CreateGates(int count)
    {
        var gates = new SemaphoreSlim[count];
        for (int i = 0; i < count; i++)
        {
            gates[i] = new SemaphoreSlim(1, 1);
        }

        return gates;
    }
}
