namespace FastS3.Tests.ServerSide;

/// <summary>
/// What AWS answers the refused requests <see cref="ServerSideBoto3Tests"/> and <see cref="ServerSideSdkTests"/>
/// send through their SDK, in the order they send them (status and S3 error code); then each
/// checks with a HEAD that none of them stored anything.
/// </summary>
internal static class Refusals
{
    public static readonly string[] Outcomes =
    [
        "400 InvalidArgument", // SSE-C beside AES256
        "400 InvalidArgument", // SSE-C beside aws:kms
        "400 InvalidArgument", // an unknown method (AES512)
        "400 InvalidArgument", // aws:kms:dsse, not supported
        "400 InvalidArgument", // a KMS key id without any method
        "400 InvalidArgument", // a KMS key id with AES256
        "400 InvalidArgument", // a context that is base64 but not JSON
        "400 InvalidArgument", // a context that is not base64
        "400 KMS.NotFoundException", // an unknown alias
        "400 KMS.DisabledException", // PUT under a disabled key
        "400 KMS.DisabledException", // GET of an object under it
        "400 InvalidRequest", // GET of an SSE-S3 object with an SSE-C key
    ];
}
