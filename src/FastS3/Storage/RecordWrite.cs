namespace FastS3.Storage;

/// <summary>
/// What a write to an <see cref="IRecordTable"/> did. <see cref="Previous"/> is the record the write
/// replaced or deleted (null when the key was absent) or, when the condition refused it, the
/// current record. The array is the caller's own.
/// </summary>
public readonly record struct RecordWrite(bool Applied, byte[]? Previous);
