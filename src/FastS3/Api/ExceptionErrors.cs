using FastS3.Basics;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>The S3 error an exception from deep inside an operation stands for.</summary>
internal static class ExceptionErrors
{
    /// <summary>Its own (<see cref="S3Exception"/>), or a full disk; null for anything else.</summary>
    public static S3Error? Of(Exception exception) => exception switch
    {
        S3Exception s3 => s3.Error,
        _ when StorageFullException.IsNoSpace(exception) => S3Errors.InsufficientStorage,
        _ => null,
    };
}
