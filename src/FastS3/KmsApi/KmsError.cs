namespace FastS3.KmsApi;

/// <summary>
/// A KMS error as the AWS JSON protocol carries it: the HTTP status (400 for every client fault,
/// as AWS KMS answers them) and the exception type and message of
/// <c>{"__type": "NotFoundException", "message": "…"}</c>.
/// </summary>
/// <remarks>
/// Like S3Error on the S3 path, the one error channel: a handler returns <c>KmsError?</c> (null:
/// go on) and writes its answer only once nothing can fail.
/// </remarks>
public sealed class KmsError(string type, string message, int status = 400)
{
    public string Type { get; } = type;

    public string Message { get; } = message;

    public int Status { get; } = status;
}
