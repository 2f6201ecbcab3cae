namespace FastS3.Storage;

/// <summary>What <see cref="NewObject.CommitAsync"/> did.</summary>
public enum ObjectCommitResult : byte
{
    /// <summary>The object is stored; <see cref="ObjectCommit.Record"/> is its record.</summary>
    Stored,

    /// <summary>The bytes did not come to the length announced: nothing was stored.</summary>
    Incomplete,

    /// <summary>The write's condition refused it: nothing was stored; <see cref="ObjectCommit.Current"/> is the record there now (null: none).</summary>
    ConditionFailed,

    /// <summary>The bucket was deleted while the bytes streamed in: nothing was stored.</summary>
    BucketDeleted,
}

/// <summary>What <see cref="NewObject.CommitAsync"/> did, with the record it stored or the one that refused it.</summary>
public readonly record struct ObjectCommit(ObjectCommitResult Result, byte[]? Record, byte[]? Current);

/// <summary>
/// An object being written (PutObject, CopyObject): <see cref="Bucket.CreateObject"/> starts it with
/// what is known before its bytes — its key, the record's draft (content headers, encryption, tags,
/// declared sizes) and the write's condition — so that a store which must send the record ahead of
/// the bytes can; the bytes stream into <see cref="Writer"/>; <see cref="CommitAsync"/> adds what is
/// known only after them (ETag, checksum) and stores the object whole or not at all. Disposing it
/// uncommitted discards the bytes.
/// </summary>
public sealed class NewObject : IAsyncDisposable
{
    private readonly Bucket _bucket;
    private readonly byte[] _key;
    private readonly byte[] _draft;
    private readonly RecordCondition? _condition;
    private readonly NewObjectData _data;

    internal NewObject(Bucket bucket, byte[] key, byte[] draft, long storedLength, RecordCondition? condition)
    {
        _bucket = bucket;
        _key = key;
        _draft = draft;
        _condition = condition;
        _data = NewObjectData.Create(bucket, storedLength);
    }

    public IObjectWriter Writer => _data.Writer;

    /// <summary>
    /// Stores the bytes, then the record: the draft's flags and fields, <paramref name="finish"/>'s
    /// sizes and fields (a record of what the bytes gave: ETag, checksum), where the bytes are, and
    /// the time; only if the condition allows it over the object there now, whose data then goes.
    /// </summary>
    public async ValueTask<ObjectCommit> CommitAsync(ReadOnlyMemory<byte> finish)
    {
        if (!await _data.CommitAsync())
        {
            return new ObjectCommit(ObjectCommitResult.Incomplete, null, null);
        }

        // DeleteBucket may have removed the bucket while the bytes streamed in.
        if (_bucket.IsDeleted)
        {
            _data.Discard();
            return new ObjectCommit(ObjectCommitResult.BucketDeleted, null, null);
        }

        byte[] record = Assemble(finish.Span);
        RecordWrite result = await _data.PublishAsync(_bucket.Objects.PutAsync(_key, record, _condition));
        if (!result.Applied)
        {
            _data.Discard();
            return new ObjectCommit(ObjectCommitResult.ConditionFailed, null, result.Previous);
        }

        await _bucket.DeleteDataOfAsync(result.Previous);
        return new ObjectCommit(ObjectCommitResult.Stored, record, null);
    }

    public ValueTask DisposeAsync() => _data.DisposeAsync();

    private byte[] Assemble(ReadOnlySpan<byte> finish)
    {
        ObjectRecord.TryRead(_draft, out ObjectRecord draft);
        ObjectRecord.TryRead(finish, out ObjectRecord after);
        var record = new ObjectRecord.Builder(draft.Flags, _data.DataId, after.Size, after.StoredSize, DateTimeOffset.UtcNow);
        try
        {
            AddFields(ref record, draft);
            AddFields(ref record, after);
            record.AddIfPresent(RecordField.InlineData, _data.InlineData);
            return record.Written.ToArray();
        }
        finally
        {
            record.Dispose();
        }
    }

    private static void AddFields(ref ObjectRecord.Builder record, in ObjectRecord source)
    {
        ObjectRecord.FieldEnumerator fields = source.Fields();
        while (fields.MoveNext())
        {
            record.Add(fields.Tag, fields.Value);
        }
    }
}
