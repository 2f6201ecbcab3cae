namespace FastS3.Api;

/// <summary>The S3 errors FastS3 answers with, statuses and messages as AWS S3 sends them.</summary>
public static class S3Errors
{
    public static readonly S3Error AccessDenied = new(403, "AccessDenied", "Access Denied.");
    public static readonly S3Error AnonymousAccessDenied = new(403, "AccessDenied", "Anonymous access is not allowed; sign the request with AWS Signature Version 4.");
    public static readonly S3Error SignatureV2Unsupported = new(403, "AccessDenied", "Signature Version 2 is not supported; use AWS Signature Version 4.");
    public static readonly S3Error RequestExpired = new(403, "AccessDenied", "Request has expired");
    public static readonly S3Error RequestNotYetValid = new(403, "AccessDenied", "Request is not valid yet");
    public static readonly S3Error SignedHeaderMissing = new(403, "AccessDenied", "There were headers present in the request which were not signed, or a signed header is missing.");
    public static readonly S3Error MissingDate = new(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
    public static readonly S3Error SignatureDoesNotMatch = new(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
    public static readonly S3Error InvalidAccessKeyId = new(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
    public static readonly S3Error RequestTimeTooSkewed = new(403, "RequestTimeTooSkewed", "The difference between the request time and the server's time is too large.");
    public static readonly S3Error AuthorizationHeaderMalformed = new(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; it must be AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/s3/aws4_request, SignedHeaders=..., Signature=...");
    public static readonly S3Error CredentialDateMismatch = new(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.");
    public static readonly S3Error CredentialServiceInvalid = new(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; incorrect service, expecting 's3' and 'aws4_request'.");
    public static readonly S3Error AuthorizationQueryParametersError = new(400, "AuthorizationQueryParametersError", "X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires (1 to 604800), X-Amz-SignedHeaders and X-Amz-Signature must all be present and valid.");
    public static readonly S3Error MissingContentSha256 = new(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
    public static readonly S3Error InvalidContentSha256 = new(400, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.");
    public static readonly S3Error XAmzContentSHA256Mismatch = new(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
    public static readonly S3Error IncompleteBody = new(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.");
    public static readonly S3Error MalformedChunkedEncoding = new(400, "InvalidRequest", "The aws-chunked request body is malformed.");
    public static readonly S3Error ChunkSignatureDoesNotMatch = new(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
    public static readonly S3Error MalformedTrailerError = new(400, "MalformedTrailerError", "The request contained trailing data that was not well-formed or did not conform to our published schema.");
    public static readonly S3Error NoSuchBucket = new(404, "NoSuchBucket", "The specified bucket does not exist");
    public static readonly S3Error InvalidBucketName = new(400, "InvalidBucketName", "The specified bucket is not valid.");
    public static readonly S3Error BucketAlreadyOwnedByYou = new(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.");
    public static readonly S3Error BucketNotEmpty = new(409, "BucketNotEmpty", "The bucket you tried to delete is not empty");
    public static readonly S3Error MalformedXML = new(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
    public static readonly S3Error InsufficientStorage = new(507, "XMinioStorageFull", "Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed.");
    public static readonly S3Error KeyTooLong = new(400, "KeyTooLongError", "Your key is too long");
    public static readonly S3Error NoSuchKey = new(404, "NoSuchKey", "The specified key does not exist.");
    public static readonly S3Error MetadataTooLarge = new(400, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.");
    public static readonly S3Error EntityTooLarge = new(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.");
    public static readonly S3Error PreconditionFailed = new(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
    public static readonly S3Error InvalidRange = new(416, "InvalidRange", "The requested range is not satisfiable");
    public static readonly S3Error SseCAlgorithmInvalid = new(400, "InvalidArgument", "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.");
    public static readonly S3Error SseCKeyMissing = new(400, "InvalidArgument", "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.");
    public static readonly S3Error SseCKeyMd5Missing = new(400, "InvalidArgument", "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.");
    public static readonly S3Error SseCKeyInvalid = new(403, "AccessDenied", "Access Denied.");
    public static readonly S3Error SseCKeyMd5Mismatch = new(400, "InvalidArgument", "The calculated MD5 hash of the key did not match the hash that was provided.");
    public static readonly S3Error SseCOverHttp = new(400, "InvalidRequest", "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.");
    public static readonly S3Error SseCIncompatible = new(400, "InvalidArgument", "Server Side Encryption with Customer provided key is incompatible with the encryption method specified");
    public static readonly S3Error SseCRequired = new(400, "InvalidRequest", "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.");
    public static readonly S3Error SseCWrongKey = new(403, "AccessDenied", "Access Denied.");
    public static readonly S3Error ObjectTampered = new(500, "InternalError", "The object's stored encryption metadata failed authentication.");
    public static readonly S3Error SseCNotApplicable = new(400, "InvalidRequest", "The encryption parameters are not applicable to this object.");
    public static readonly S3Error InvalidArgument = new(400, "InvalidArgument", "Invalid Argument");
    public static readonly S3Error InvalidEncodingType = new(400, "InvalidArgument", "Invalid Encoding Method specified in Request");
    public static readonly S3Error InvalidContinuationToken = new(400, "InvalidArgument", "The continuation token provided is incorrect");
    public static readonly S3Error MissingContentDigest = new(400, "InvalidRequest", "Missing required header for this request: Content-MD5");
    public static readonly S3Error InvalidCopySource = new(400, "InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
    public static readonly S3Error InvalidMetadataDirective = new(400, "InvalidArgument", "Unknown metadata directive.");
    public static readonly S3Error IllegalCopyToItself = new(400, "InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
    public static readonly S3Error SseCKeyMismatchOnRotation = new(400, "InvalidArgument", "The provided encryption parameters did not match the ones used originally.");
    public static readonly S3Error MissingContentLength = new(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");

    private static readonly S3Error[] NotImplementedByOperation = Enum.GetValues<S3Operation>()
        .Select(op => new S3Error(501, "NotImplemented", $"{op} is not implemented by this server yet."))
        .ToArray();

    /// <summary>501 for an operation the router knows but this server does not serve yet.</summary>
    public static S3Error NotImplementedYet(S3Operation operation) => NotImplementedByOperation[(int)operation];
}
