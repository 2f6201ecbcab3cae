using System.Diagnostics.CodeAnalysis;

namespace FastS3.Storage;

/// <summary>
/// A durable ordered table of records keyed by byte strings: a bucket's object records (key →
/// <see cref="ObjectRecord"/>), or its multipart uploads and their parts. Writes are conditional
/// (S3's If-Match and If-None-Match decided atomically with the write) and complete only once
/// durable; reads and cursors see only durable writes. Any number of threads may use it at once.
/// </summary>
public interface IRecordTable
{
    /// <summary>Looks a key up. The array is the caller's own.</summary>
    bool TryGet(ReadOnlySpan<byte> key, [MaybeNullWhen(false)] out byte[] value);

    /// <summary>Looks a key up without a copy where the table can avoid one; records are never modified once written, so the view stays valid.</summary>
    bool TryGetReadOnly(ReadOnlySpan<byte> key, out ReadOnlyMemory<byte> value);

    /// <summary>A cursor whose first <see cref="IRecordCursor.MoveNext"/> yields the first key ≥ <paramref name="start"/>.</summary>
    IRecordCursor Seek(ReadOnlySpan<byte> start);

    /// <summary>A cursor whose first <see cref="IRecordCursor.MoveNext"/> yields the first key &gt; <paramref name="key"/> (S3's StartAfter and continuation).</summary>
    IRecordCursor SeekAfter(ReadOnlySpan<byte> key);

    /// <summary>Sets a key's record if <paramref name="condition"/> allows it; the result carries the record replaced, so the caller can remove what it pointed to.</summary>
    ValueTask<RecordWrite> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, RecordCondition? condition = null, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="PutAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, RecordCondition?, CancellationToken)"/>, and in the same durable step <paramref name="alongsideKey"/>'s record: a crash keeps both or neither. The condition and the result are <paramref name="key"/>'s.</summary>
    ValueTask<RecordWrite> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, RecordCondition? condition, ReadOnlyMemory<byte> alongsideKey, ReadOnlyMemory<byte> alongsideValue);

    /// <summary>Deletes a key if <paramref name="condition"/> allows it; the result carries the record deleted. Deleting an absent key writes nothing.</summary>
    ValueTask<RecordWrite> DeleteAsync(ReadOnlyMemory<byte> key, RecordCondition? condition = null, CancellationToken cancellationToken = default);
}
