namespace FastS3.Storage.Index;

/// <summary>
/// Decides whether a write proceeds, given the key's current value (<paramref name="exists"/> is
/// false when the key is absent): S3's If-Match and If-None-Match. It runs under the index's
/// write lock, so it sees every earlier write and no later one; keep it short, and do not call
/// back into the index from it.
/// </summary>
public delegate bool IndexPrecondition(ReadOnlySpan<byte> current, bool exists);
