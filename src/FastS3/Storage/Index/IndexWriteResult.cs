namespace FastS3.Storage.Index;

/// <summary>
/// What a write did. <see cref="Previous"/> is the value the write replaced or deleted (null when
/// the key was absent) or, when the precondition refused it, the current value. The array is the
/// caller's own.
/// </summary>
public readonly record struct IndexWriteResult(bool Applied, byte[]? Previous);
