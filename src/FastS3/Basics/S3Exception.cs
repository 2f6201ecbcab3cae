namespace FastS3.Basics;

/// <summary>
/// Raised where an S3 error is found deep inside streaming code (a bad chunk signature, a body cut
/// short); the operation handler turns it into the error response.
/// </summary>
public sealed class S3Exception(S3Error error) : Exception(error.Code + ": " + error.Message)
{
    public S3Error Error { get; } = error;
}
