namespace FastS3.Storage;

/// <summary>The disk (or quota) is full: S3 answers this with a clean error, never a torn object.</summary>
public sealed class StorageFullException(string message) : IOException(message)
{
    /// <summary>
    /// Whether <paramref name="exception"/> says the disk or quota is full: ours, or .NET's own
    /// IOException, which carries the errno as its HResult on Linux.
    /// </summary>
    public static bool IsNoSpace(Exception exception)
        => exception is StorageFullException || (exception is IOException && IsNoSpaceError(exception.HResult));

    internal static bool IsNoSpaceError(int errno)
    {
        const int ENOSPC = 28;
        const int EDQUOT = 122;
        return errno is ENOSPC or EDQUOT;
    }
}
