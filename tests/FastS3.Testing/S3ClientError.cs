namespace FastS3.Testing;

/// <summary>
/// An S3 error response as a client surfaced it to its user: the HTTP status (null when the client
/// does not tell it) and the error code, or the name the client gives the error.
/// </summary>
public sealed class S3ClientError(int? status, string code, string message) : Exception($"{status} {code}: {message}")
{
    public int? Status => status;

    public string Code => code;
}
