namespace FastS3.Basics;

/// <summary>The S3 errors FastS3 answers with, statuses and messages as AWS S3 sends them.</summary>
public static class S3Errors
{
    public static readonly S3Error AccessDenied = new(403, "AccessDenied", "Access Denied.");
    public static readonly S3Error AnonymousAccessDenied = new(403, "AccessDenied", "Anonymous access is not allowed; sign the request with AWS Signature Version 4.");
    public static readonly S3Error SignatureV2Unsupported = new(403, "AccessDenied", "Signature Version 2 is not supported; use AWS Signature Version 4.");
    public static readonly S3Error RequestExpired = new(403, "AccessDenied", "Request has expired");
    public static readonly S3Error RequestNotYetValid = new(403, "AccessDenied", "Request is not valid yet");
    public static readonly S3Error SignedHeaderMissing = new(403, "AccessDenied", "A header listed in SignedHeaders is missing from the request.");
    public static readonly S3Error MultipleAuthMechanisms = new(400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified");
    public static readonly S3Error MissingDate = new(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
    public static readonly S3Error SignatureDoesNotMatch = new(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
    public static readonly S3Error InvalidAccessKeyId = new(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
    public static readonly S3Error RequestTimeTooSkewed = new(403, "RequestTimeTooSkewed", "The difference between the request time and the server's time is too large.");
    public static readonly S3Error AuthorizationHeaderMalformed = new(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; it must be AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/s3/aws4_request, SignedHeaders=..., Signature=...");
    public static readonly S3Error CredentialDateMismatch = new(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.");
    public static readonly S3Error AuthorizationQueryParametersError = new(400, "AuthorizationQueryParametersError", "X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires (1 to 604800), X-Amz-SignedHeaders and X-Amz-Signature must all be present and valid.");
    public static readonly S3Error MissingContentSha256 = new(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
    public static readonly S3Error InvalidContentSha256 = new(400, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.");
    public static readonly S3Error XAmzContentSHA256Mismatch = new(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
    public static readonly S3Error IncompleteBody = new(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.");
    public static readonly S3Error DecodedLengthExceeded = new(400, "EntityTooLarge", "The aws-chunked body carries more data than X-Amz-Decoded-Content-Length declares.");
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
    public static readonly S3Error SseMethodInvalid = new(400, "InvalidArgument", "The encryption method specified is not supported");
    public static readonly S3Error SseDsseUnsupported = new(400, "InvalidArgument", "The encryption method aws:kms:dsse (dual-layer SSE-KMS) is not supported by this server; use aws:kms or AES256");
    public static readonly S3Error SseKmsHeaderWithoutKms = new(400, "InvalidArgument", "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms");
    public static readonly S3Error SseContextInvalid = new(400, "InvalidArgument", "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map");
    public static readonly S3Error SseBucketKeyInvalid = new(400, "InvalidArgument", "The header 'x-amz-server-side-encryption-bucket-key-enabled' must be true or false");
    public static readonly S3Error KmsKeyNotFound = new(400, "KMS.NotFoundException", "The KMS key named by x-amz-server-side-encryption-aws-kms-key-id (or the bucket's default encryption) does not exist");
    public static readonly S3Error KmsKeyDisabled = new(400, "KMS.DisabledException", "The object's KMS key is disabled");
    public static readonly S3Error KmsUnavailable = new(501, "NotImplemented", "This server runs without a KMS, so SSE-S3 and SSE-KMS are not available");
    public static readonly S3Error SseCRequired = new(400, "InvalidRequest", "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.");
    public static readonly S3Error SseCWrongKey = new(403, "AccessDenied", "Access Denied.");
    public static readonly S3Error ObjectTampered = new(500, "InternalError", "The object's stored encryption metadata failed authentication.");
    public static readonly S3Error StoredDataDamaged = new(500, "InternalError", "The object's stored data is damaged: it failed authentication or ends before its record says.");
    public static readonly S3Error SseCNotApplicable = new(400, "InvalidRequest", "The encryption parameters are not applicable to this object.");
    public static readonly S3Error InvalidArgument = new(400, "InvalidArgument", "Invalid Argument");
    public static readonly S3Error AnonymousResponseOverride = new(400, "InvalidRequest", "Request specific response headers cannot be used for anonymous GET requests.");
    public static readonly S3Error InvalidVersionId = new(400, "InvalidArgument", "Invalid version id specified");
    public static readonly S3Error InvalidEncodingType = new(400, "InvalidArgument", "Invalid Encoding Method specified in Request");
    public static readonly S3Error InvalidContinuationToken = new(400, "InvalidArgument", "The continuation token provided is incorrect");
    public static readonly S3Error UnorderedWithDelimiter = new(400, "InvalidArgument", "Cannot specify a delimiter when allow-unordered is set to true");
    public static readonly S3Error MissingContentDigest = new(400, "InvalidRequest", "Missing required header for this request: Content-MD5");
    public static readonly S3Error InvalidCopySource = new(400, "InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
    public static readonly S3Error InvalidCopySourceEncoding = new(400, "InvalidArgument", "Invalid copy source encoding");
    public static readonly S3Error InvalidMetadataDirective = new(400, "InvalidArgument", "Unknown metadata directive.");
    public static readonly S3Error IllegalCopyToItself = new(400, "InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
    public static readonly S3Error SseCKeyMismatchOnRotation = new(400, "InvalidArgument", "The provided encryption parameters did not match the ones used originally.");
    public static readonly S3Error NoSuchUpload = new(404, "NoSuchUpload", "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");
    public static readonly S3Error InvalidPart = new(400, "InvalidPart", "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.");
    public static readonly S3Error InvalidPartOrder = new(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.");
    public static readonly S3Error EntityTooSmall = new(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.");
    public static readonly S3Error InvalidPartNumberArgument = new(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
    public static readonly S3Error InvalidPartNumber = new(400, "InvalidPartNumber", "The requested partnumber is not satisfiable");
    public static readonly S3Error RangeWithPartNumber = new(400, "InvalidRequest", "Cannot specify both Range header and partNumber query parameter");
    public static readonly S3Error InvalidMaxParts = new(400, "InvalidArgument", "Argument max-parts must be an integer between 0 and 2147483647");
    public static readonly S3Error InvalidMaxUploads = new(400, "InvalidArgument", "Argument max-uploads must be an integer between 0 and 2147483647");
    public static readonly S3Error InvalidPartNumberMarker = new(400, "InvalidArgument", "Argument part-number-marker must be an integer between 0 and 2147483647");
    public static readonly S3Error InvalidUploadIdMarker = new(400, "InvalidArgument", "Invalid uploadId marker");
    public static readonly S3Error SseCUploadKeyRequired = new(400, "InvalidRequest", "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.");
    public static readonly S3Error SseCUploadNotEncrypted = new(400, "InvalidRequest", "The multipart upload initiate did not request encryption. Subsequent part requests must not include encryption parameters.");
    public static readonly S3Error InvalidChecksumAlgorithm = new(400, "InvalidRequest", "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
    public static readonly S3Error InvalidChecksumType = new(400, "InvalidRequest", "The x-amz-checksum-type header must be COMPOSITE or FULL_OBJECT and suit the checksum algorithm: COMPOSITE for CRC32, CRC32C, SHA1 and SHA256; FULL_OBJECT for CRC32, CRC32C and CRC64NVME.");
    public static readonly S3Error PartChecksumAlgorithmMismatch = new(400, "InvalidRequest", "Checksum Type mismatch occurred: the part's checksum algorithm is not the one the multipart upload was created with.");
    public static readonly S3Error InvalidCopySourceRange = new(400, "InvalidArgument", "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy");
    public static readonly S3Error CopySourceRangeOutside = new(400, "InvalidRange", "The requested range is not satisfiable");
    public static readonly S3Error NoSuchTagSet = new(404, "NoSuchTagSet", "The TagSet does not exist");
    public static readonly S3Error TooManyObjectTags = new(400, "BadRequest", "Object tags cannot be greater than 10");
    public static readonly S3Error TooManyBucketTags = new(400, "BadRequest", "Bucket tag count cannot be greater than 50");
    public static readonly S3Error InvalidTagKey = new(400, "InvalidTag", "The TagKey you have provided is invalid");
    public static readonly S3Error InvalidTagValue = new(400, "InvalidTag", "The TagValue you have provided is invalid");
    public static readonly S3Error ReservedTagKey = new(400, "InvalidTag", "Your TagKey cannot be prefixed with aws:");
    public static readonly S3Error DuplicateTagKey = new(400, "InvalidTag", "Cannot provide multiple Tags with the same key");
    public static readonly S3Error InvalidTaggingHeader = new(400, "InvalidArgument", "The x-amz-tagging header must be UTF-8, URL-query encoded (key=value pairs joined by '&'), and name no key twice.", ("ArgumentName", "x-amz-tagging"));
    public static readonly S3Error InvalidTaggingDirective = new(400, "InvalidArgument", "Unknown tagging directive.", ("ArgumentName", "x-amz-tagging-directive"));
    public static readonly S3Error NoSuchEncryptionConfiguration = new(404, "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found");
    public static readonly S3Error KmsKeyIdNotApplicable = new(400, "InvalidArgument", "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse");
    public static readonly S3Error DsseNotSupported = new(400, "InvalidArgument", "The encryption algorithm aws:kms:dsse (dual-layer SSE-KMS) is not supported by this server: use AES256 or aws:kms.");
    public static readonly S3Error KmsKeyIdTooLong = new(400, "InvalidArgument", "The KMSMasterKeyID is longer than a KMS key id, key ARN or alias can be.");
    public static readonly S3Error OperationAborted = new(409, "OperationAborted", "A conflicting conditional operation is currently in progress against this resource. Please try again.");
    public static readonly S3Error MissingContentLength = new(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
    public static readonly S3Error BadRequest = new(400, "BadRequest", "An error occurred when parsing the HTTP request.");
    public static readonly S3Error InvalidUri = new(400, "InvalidURI", "Couldn't parse the specified URI.");
    public static readonly S3Error UriTooLong = new(400, "InvalidURI", "The request line is longer than the server accepts.");
    public static readonly S3Error RequestHeaderSectionTooLarge = new(400, "RequestHeaderSectionTooLarge", "The request header and query parameters used to make the request exceed the maximum allowed size.");
    public static readonly S3Error MaxMessageLengthExceeded = new(400, "MaxMessageLengthExceeded", "Your request was too big.");
    public static readonly S3Error RequestTimeout = new(400, "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.");
    public static readonly S3Error HttpVersionNotSupported = new(505, "HttpVersionNotSupported", "The HTTP version specified is not supported.");
    public static readonly S3Error SlowDown = new(503, "SlowDown", "Please reduce your request rate.");
    public static readonly S3Error InternalError = new(500, "InternalError", "We encountered an internal error. Please try again.");

    /// <summary>Headers the signature does not cover (lower-case names, ", "-separated), named in &lt;HeadersNotSigned&gt; as AWS does.</summary>
    public static S3Error HeadersNotSigned(string names)
        => new(403, "AccessDenied", "There were headers present in the request which were not signed", ("HeadersNotSigned", names));

    /// <summary>A credential scope that names another service than <paramref name="service"/>, the verifier's.</summary>
    public static S3Error CredentialServiceInvalid(string service)
        => new(400, "AuthorizationHeaderMalformed", $"The authorization header is malformed; incorrect service, expecting '{service}' and 'aws4_request'.");

    /// <summary>A credential scope naming another region than the server's, with &lt;Region&gt; as AWS sends it.</summary>
    public static S3Error WrongRegion(string region, string expected, bool presigned)
        => presigned
            ? new(400, "AuthorizationQueryParametersError", $"Error parsing the X-Amz-Credential parameter; the region '{region}' is wrong; expecting '{expected}'", ("Region", expected))
            : new(400, "AuthorizationHeaderMalformed", $"The authorization header is malformed; the region '{region}' is wrong; expecting '{expected}'", ("Region", expected));
}
