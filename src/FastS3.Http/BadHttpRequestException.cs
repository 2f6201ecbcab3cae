namespace FastS3.Http;

public enum RequestRejectionReason : byte
{
    InvalidRequestLine,
    InvalidRequestTarget,
    UnrecognizedHttpVersion,
    RequestLineTooLong,
    InvalidRequestHeader,
    ObsoleteLineFolding,
    HeadersTooLarge,
    TooManyHeaders,
    MissingHostHeader,
    MultipleHostHeaders,
    InvalidContentLength,
    MultipleContentLengths,
    ContentLengthWithChunked,
    UnsupportedTransferCoding,
    ChunkedOnHttp10,
    BadChunkSizeData,
    BadChunkSuffix,
    ChunkLineTooLong,
    UnexpectedEndOfRequestContent,
    RequestBodyTooLarge,
    RequestHeadersTimeout,
    RequestBodyTimeout,

    /// <summary>The server already holds <see cref="HttpLimits.MaxConnections"/> connections.</summary>
    ConnectionLimit,
}

/// <summary>
/// The client broke HTTP/1.1. Carries the status to answer with; the connection is always closed
/// after it, because the position of the next request in the stream is no longer known.
/// </summary>
public sealed class BadHttpRequestException : IOException
{
    public BadHttpRequestException(RequestRejectionReason reason, int statusCode)
        : base(reason.ToString())
    {
        Reason = reason;
        StatusCode = statusCode;
    }

    public RequestRejectionReason Reason { get; }

    public int StatusCode { get; }
}

internal static class Reject
{
    // Kept out of line so callers' hot paths carry no exception-building code.
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Throw(RequestRejectionReason reason) => throw Create(reason);

    public static BadHttpRequestException Create(RequestRejectionReason reason) => new(reason, StatusFor(reason));

    public static int StatusFor(RequestRejectionReason reason) => reason switch
    {
        RequestRejectionReason.RequestLineTooLong => 414,
        RequestRejectionReason.HeadersTooLarge or RequestRejectionReason.TooManyHeaders => 431,
        RequestRejectionReason.UnrecognizedHttpVersion => 505,
        RequestRejectionReason.UnsupportedTransferCoding => 501,
        RequestRejectionReason.RequestBodyTooLarge => 413,
        RequestRejectionReason.RequestHeadersTimeout or RequestRejectionReason.RequestBodyTimeout => 408,
        RequestRejectionReason.ConnectionLimit => 503,
        _ => 400,
    };
}
