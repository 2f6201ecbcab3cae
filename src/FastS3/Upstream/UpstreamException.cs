using System.Net;

namespace FastS3.Upstream;

/// <summary>The upstream answered with an S3 error; <see cref="Code"/> is null when it sent no body (HEAD).</summary>
public sealed class UpstreamException(HttpStatusCode status, string? code, string? message, string? requestId, TimeSpan? retryAfter)
    : Exception($"upstream {(int)status} {code ?? "(no code)"}: {message}")
{
    public HttpStatusCode Status { get; } = status;

    public string? Code { get; } = code;

    public string? UpstreamMessage { get; } = message;

    public string? RequestId { get; } = requestId;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>
/// The upstream could not be reached or did not answer in time (connect refused, reset, TLS failure,
/// timeout): nothing is known about what it did, and the gateway answers 503.
/// </summary>
public sealed class UpstreamUnavailableException(string message, Exception? inner) : Exception(message, inner);
