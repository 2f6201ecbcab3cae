using System.Diagnostics.CodeAnalysis;

namespace FastS3.Storage;

/// <summary>
/// The multipart uploads a bucket completed lately, each remembered for
/// <see cref="StoreOptions.CompletedUploadLifetime"/> so that a Complete sent again (its answer
/// lost on the way) gets the first answer again, as S3 gives it. A record holds what the answer
/// needs: the ETag, the checksum, for SSE-C the sealed object key (which checks the customer key)
/// and the checksum sealed under it, and a digest of the part list the Complete was given. It lives
/// in the bucket's object records, under a key no object can have (0xFF never occurs in UTF-8: see
/// <see cref="Bucket.IsObjectKey"/>), and
/// is written in the same atomic write as the object: a crash leaves both or neither, so an
/// upload record found at start-up belongs to a completed upload exactly when its record here exists.
/// <code>
///   0xFF ‖ upload id (16) ‖ object key   → the completion's record (see <see cref="RecordField.CompletedParts"/>)
/// </code>
/// Upload ids begin with their creation time, so records sort by when their upload began; none
/// completed before it began, so a sweep for expired ones stops at the first upload begun within
/// the lifetime.
/// </summary>
public sealed class CompletedUploads(IRecordTable objects, TimeSpan lifetime)
{
    private const byte Tag = 0xFF;

    /// <summary>How often Completes look for expired records: a sweep reads every record of an upload begun before the lifetime.</summary>
    private const long SweepIntervalMs = 60_000;

    // Start-up has just swept.
    private long _nextSweep = Environment.TickCount64 + SweepIntervalMs;

    /// <summary>
    /// Commits a completed upload's object record under <paramref name="objectKey"/>, if
    /// <paramref name="precondition"/> allows it, and the completion's record in the same atomic write.
    /// </summary>
    public ValueTask<RecordWrite> PublishAsync(byte[] objectKey, ReadOnlySpan<byte> uploadId, byte[] objectRecord, ReadOnlySpan<byte> partListDigest, bool checksumDeclared, RecordCondition? precondition)
        => objects.PutAsync(objectKey, objectRecord, precondition, Key(uploadId, objectKey), Record(objectRecord, partListDigest, checksumDeclared));

    /// <summary>The record of <paramref name="uploadId"/>'s completion into <paramref name="objectKey"/>, unless there is none or it has expired.</summary>
    public bool TryGet(ReadOnlySpan<byte> uploadId, ReadOnlySpan<byte> objectKey, [NotNullWhen(true)] out byte[]? record)
        => objects.TryGet(Key(uploadId, objectKey), out record) && !Expired(record, DateTimeOffset.UtcNow);

    /// <summary>Whether the upload was completed (its record still there, expired or not).</summary>
    internal bool Contains(ReadOnlySpan<byte> uploadId, ReadOnlySpan<byte> objectKey) => objects.TryGetReadOnly(Key(uploadId, objectKey), out _);

    /// <summary>
    /// Deletes the expired records, at most once a minute. Completes call this, so there are never
    /// many more records than Completes in one lifetime and a minute.
    /// </summary>
    public ValueTask SweepIfDueAsync(MultipartUploads uploads)
    {
        long now = Environment.TickCount64;
        long due = Volatile.Read(ref _nextSweep);
        return now < due || Interlocked.CompareExchange(ref _nextSweep, now + SweepIntervalMs, due) != due ? ValueTask.CompletedTask : SweepAsync(uploads);
    }

    /// <summary>
    /// Deletes the expired records. One whose upload record is still there (its removal after the
    /// Complete failed) stays: start-up recognises the upload as completed by it.
    /// </summary>
    internal async ValueTask SweepAsync(MultipartUploads uploads)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        long begunBefore = (now - lifetime).UtcTicks;
        var expired = new List<byte[]>();
        using (IRecordCursor records = objects.Seek([Tag]))
        {
            while (records.MoveNext() && TrySplitKey(records.Key, out ReadOnlySpan<byte> uploadId, out ReadOnlySpan<byte> objectKey)
                && MultipartUploads.CreationTicks(uploadId) < begunBefore)
            {
                if (Expired(records.Value, now) && !uploads.Records.TryGetReadOnly(MultipartUploads.UploadKey(objectKey, uploadId), out _))
                {
                    expired.Add(records.Key.ToArray());
                }
            }
        }

        await Task.WhenAll(expired.Select(key => objects.DeleteAsync(key).AsTask()));
    }

    private static byte[] Key(ReadOnlySpan<byte> uploadId, ReadOnlySpan<byte> objectKey)
    {
        byte[] key = new byte[1 + MultipartUploads.UploadIdSize + objectKey.Length];
        key[0] = Tag;
        uploadId.CopyTo(key.AsSpan(1));
        objectKey.CopyTo(key.AsSpan(1 + MultipartUploads.UploadIdSize));
        return key;
    }

    /// <summary>The object key a completion's index key names; false for any other key.</summary>
    public static bool TryGetObjectKey(ReadOnlySpan<byte> indexKey, out ReadOnlySpan<byte> objectKey) => TrySplitKey(indexKey, out _, out objectKey);

    private static bool TrySplitKey(ReadOnlySpan<byte> indexKey, out ReadOnlySpan<byte> uploadId, out ReadOnlySpan<byte> objectKey)
    {
        bool ours = indexKey.Length > 1 + MultipartUploads.UploadIdSize && indexKey[0] == Tag;
        uploadId = ours ? indexKey.Slice(1, MultipartUploads.UploadIdSize) : default;
        objectKey = ours ? indexKey[(1 + MultipartUploads.UploadIdSize)..] : default;
        return ours;
    }

    private bool Expired(ReadOnlySpan<byte> record, DateTimeOffset now)
        => !ObjectRecord.TryRead(record, out ObjectRecord completion) || completion.LastModified + lifetime < now;

    /// <summary>
    /// The completion's record: the object record's answer fields (the ETag, and the checksum in
    /// the clear or, for SSE-C, the sealed key, metadata and checksum), the part list's digest, and the time.
    /// </summary>
    private static byte[] Record(byte[] objectRecord, ReadOnlySpan<byte> partListDigest, bool checksumDeclared)
    {
        ObjectRecord.TryRead(objectRecord, out ObjectRecord source);
        byte flags = (byte)((source.Flags & (byte)RecordFlags.Encrypted) | (byte)(checksumDeclared ? RecordFlags.ChecksumDeclared : RecordFlags.None));
        var record = new ObjectRecord.Builder(flags, Guid.Empty, source.Size, source.StoredSize, source.LastModified);
        try
        {
            ObjectRecord.FieldEnumerator fields = source.Fields();
            while (fields.MoveNext())
            {
                if (fields.Tag is RecordField.ETag or RecordField.Checksum or RecordField.Encryption or RecordField.SealedMetadata or RecordField.SealedChecksum)
                {
                    record.Add(fields.Tag, fields.Value);
                }
            }

            record.Add(RecordField.CompletedParts, partListDigest);
            return record.Written.ToArray();
        }
        finally
        {
            record.Dispose();
        }
    }
}
