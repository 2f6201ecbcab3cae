namespace FastS3.Basics;

/// <summary>
/// Raised only where an S3 error is found inside a byte stream (a bad chunk signature or a body cut
/// short in the aws-chunked decoder, stored bytes that are damaged), whose callers just read bytes
/// and could do nothing with an error value; the application answers it as it answers a returned
/// <see cref="S3Error"/>, or cuts the connection when the response has started. Everywhere else
/// errors are returned (see <see cref="S3Error"/>).
/// </summary>
public sealed class S3Exception(S3Error error) : Exception(error.Code + ": " + error.Message)
{
    public S3Error Error { get; } = error;
}
