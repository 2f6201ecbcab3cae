using FastS3.Basics;
using FastS3.Http;
using FastS3.Kms;

namespace FastS3.KmsApi;

/// <summary>The KMS errors this API answers with, named and worded as AWS KMS names and words them.</summary>
internal static class KmsErrors
{
    public static readonly KmsError MissingAuthenticationToken = new("MissingAuthenticationTokenException", "Missing Authentication Token");
    public static readonly KmsError UnrecognizedClient = new("UnrecognizedClientException", "The security token included in the request is invalid.");
    public static readonly KmsError InvalidSignature = new("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    public static readonly KmsError Serialization = new("SerializationException", "The request body is not a JSON object of the operation's members and types.");
    public static readonly KmsError InvalidMarker = new("InvalidMarkerException", "The marker is not one a previous response gave.");
    public static readonly KmsError Internal = new("KMSInternalException", "The request failed inside the server; it may be tried again.", 500);
    public static readonly KmsError OnlySymmetric = new("UnsupportedOperationException", "This server's KMS makes only symmetric encryption keys: KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT, Origin AWS_KMS, single-Region, in no custom key store.");
    public static readonly KmsError TooManyKeys = new("LimitExceededException", $"The KMS holds {KeyRing.MaxKeys} keys, the most it may.");
    public static readonly KmsError TooManyAliases = new("LimitExceededException", $"The KMS holds {KeyRing.MaxAliases} aliases, the most it may.");
    public static readonly KmsError AliasPointsAtAlias = new("ValidationException", "Aliases must refer to keys. Not aliases");
    public static readonly KmsError ReservedAlias = new("NotAuthorizedException", "The alias/aws/ prefix is reserved for AWS managed keys.");
    public static readonly KmsError AliasPrefix = new("ValidationException", "Alias must start with the prefix \"alias/\" and name something after it.");

    public static KmsError UnknownOperation(string operation) => new("UnknownOperationException", $"TrentService.{operation} is not an operation this server's KMS API serves.");

    public static KmsError Validation(string member, string constraint) => new("ValidationException", $"1 validation error detected: Value at '{Camel(member)}' failed to satisfy constraint: {constraint}");

    public static KmsError Missing(string member) => new("ValidationException", $"1 validation error detected: Value null at '{Camel(member)}' failed to satisfy constraint: Member must not be null");

    public static KmsError NotInEnum(string member, IEnumerable<string> values) => Validation(member, $"Member must satisfy enum value set: [{string.Join(", ", values)}]");

    public static KmsError KeyNotFound(string arn) => new("NotFoundException", $"Key '{arn}' does not exist");

    public static KmsError InvalidKeyId(string name) => new("NotFoundException", $"Invalid keyId {name}");

    public static KmsError AliasNotFound(string arn) => new("NotFoundException", $"Alias {arn} is not found.");

    public static KmsError AliasExists(string arn) => new("AlreadyExistsException", $"An alias with the name {arn} already exists");

    public static KmsError Disabled(string arn) => new("DisabledException", $"{arn} is disabled.");

    /// <summary>What AWS answers a principal whose policy allows nothing on an AWS managed key but use, describe and list.</summary>
    public static KmsError AwsManaged(string operation, string arn) => new("AccessDeniedException", $"kms:{operation} is not allowed on {arn}: it is an AWS managed key, managed by the service that uses it.");

    public static KmsError Unsupported(string message) => new("UnsupportedOperationException", message);

    /// <summary>
    /// The KMS answer to a request the verifier refused: AWS's JSON services name signature faults
    /// otherwise than S3 (no signature, an unknown access key, a wrong one, a malformed one).
    /// </summary>
    public static KmsError ForSignature(S3Error error) => error.Code switch
    {
        _ when error == S3Errors.AnonymousAccessDenied || error == S3Errors.SignatureV2Unsupported => MissingAuthenticationToken,
        "InvalidAccessKeyId" => UnrecognizedClient,
        "SignatureDoesNotMatch" => InvalidSignature,

        // A scope for another service, region or date, or a request too old or new.
        "RequestTimeTooSkewed" or "AuthorizationHeaderMalformed" when error != S3Errors.AuthorizationHeaderMalformed => new("InvalidSignatureException", error.Message),
        _ => new("IncompleteSignatureException", error.Message),
    };

    /// <summary>For an answer the transport gives by itself (a body beyond the bound, a timeout, a full server).</summary>
    public static KmsError ForTransport(RequestRejectionReason? reason, int status) => reason switch
    {
        null => Internal,
        RequestRejectionReason.ConnectionLimit => new("ThrottlingException", "The server holds as many connections as it may; try again.", status),
        RequestRejectionReason.RequestBodyTooLarge => new("ValidationException", $"The request body is larger than {KmsApplication.MaxBodyLength} bytes.", status),
        _ => new("ValidationException", $"The request broke HTTP/1.1 ({reason}).", status),
    };

    /// <summary>A member name as AWS's validation messages spell it (KeyId → keyId).</summary>
    private static string Camel(string member) => char.ToLowerInvariant(member[0]) + member[1..];
}
