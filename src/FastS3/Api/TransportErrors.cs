using FastS3.Basics;
using FastS3.Http;

namespace FastS3.Api;

/// <summary>
/// The S3 error for an answer the HTTP transport gives by itself, with the code AWS S3 uses for the
/// same fault (a 400 RequestTimeout rather than a bare 408, SlowDown when the server is full), so
/// SDKs recognise it and retry what is retryable.
/// </summary>
internal static class TransportErrors
{
    public static S3Error For(RequestRejectionReason? reason) => reason switch
    {
        null => S3Errors.InternalError,
        RequestRejectionReason.ConnectionLimit => S3Errors.SlowDown,
        RequestRejectionReason.RequestHeadersTimeout or RequestRejectionReason.RequestBodyTimeout => S3Errors.RequestTimeout,
        RequestRejectionReason.HeadersTooLarge or RequestRejectionReason.TooManyHeaders => S3Errors.RequestHeaderSectionTooLarge,
        RequestRejectionReason.RequestLineTooLong => S3Errors.UriTooLong,
        RequestRejectionReason.InvalidRequestTarget => S3Errors.InvalidUri,
        RequestRejectionReason.RequestBodyTooLarge => S3Errors.MaxMessageLengthExceeded,
        RequestRejectionReason.UnexpectedEndOfRequestContent => S3Errors.IncompleteBody,
        RequestRejectionReason.UnsupportedTransferCoding => S3Error.NotImplemented,
        RequestRejectionReason.UnrecognizedHttpVersion => S3Errors.HttpVersionNotSupported,
        _ => S3Errors.BadRequest,
    };
}
