namespace FastS3.Storage;

/// <summary>
/// Decides whether a write proceeds, given the key's current record (<paramref name="exists"/> is
/// false when the key is absent): S3's If-Match and If-None-Match. It runs under the table's write
/// lock, so it sees every earlier write and no later one; keep it short, and do not call back into
/// the table from it.
/// </summary>
public delegate bool RecordCondition(ReadOnlySpan<byte> current, bool exists);
