using System.Buffers.Text;
using System.Security.Cryptography;
using FastS3.Basics;
using FastS3.Crypto.OpenSsl;
using FastS3.Buffers;
using FastS3.Http;

namespace FastS3.Auth;

/// <summary>
/// Verifies AWS Signature Version 4 as S3 applies it, from the Authorization header or a presigned
/// query: scope and date checks, 15 minutes of clock skew, presigned expiry up to 7 days, and the
/// signature compared in constant time. On success the <see cref="SignatureContext"/> tells the
/// body reader what the payload must satisfy. One verifier serves one service: a request signed
/// for another (S3's for KMS, or KMS's for S3) is refused, as AWS refuses it.
/// </summary>
public sealed class SigV4Verifier
{
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(15);
    public const int MaxPresignedExpirySeconds = 604_800;

    private readonly AccessKeys _keys;
    private readonly TimeProvider _clock;
    private readonly byte[] _region;
    private readonly byte[] _service;
    private readonly S3Error _wrongService;
    private readonly SigningKeyCache _signingKeys = new();

    /// <summary>The region a server has unless told otherwise, as S3's global endpoint and MinIO's default.</summary>
    public const string DefaultRegion = "us-east-1";

    /// <param name="region">The server's region: the only one a credential scope may name.</param>
    /// <param name="service">The service the credential scope must name ("s3", "kms").</param>
    public SigV4Verifier(AccessKeys keys, TimeProvider clock, string region = DefaultRegion, string service = "s3")
    {
        _keys = keys;
        _clock = clock;
        _region = System.Text.Encoding.ASCII.GetBytes(region);
        _service = System.Text.Encoding.ASCII.GetBytes(service);
        _wrongService = S3Errors.CredentialServiceInvalid(service);
    }

    /// <summary>Null when the request is authentic; otherwise the S3 error to answer.</summary>
    public S3Error? Verify(HttpRequest request, SignatureContext context)
    {
        S3Error? error = Authenticate(request, context);
        context.Authenticated = error is null;
        return error;
    }

    private S3Error? Authenticate(HttpRequest request, SignatureContext context)
    {
        bool presigned = HasPresignedParameters(request.Query);
        switch (CountHeaders(request.Headers, "authorization"u8))
        {
            case 0:
                break;
            case 1 when !presigned:
                request.Headers.TryGetValue("authorization"u8, out ReadOnlySpan<byte> authorization);
                return VerifyHeader(request, authorization, context);
            default:
                // Two credentials: which one would count is exactly what an attacker wants to choose.
                return S3Errors.MultipleAuthMechanisms;
        }

        if (ContainsParameter(request.Query, "X-Amz-Signature="u8))
        {
            return VerifyPresigned(request, context);
        }

        if (ContainsParameter(request.Query, "AWSAccessKeyId="u8))
        {
            return S3Errors.SignatureV2Unsupported;
        }

        return presigned ? S3Errors.AuthorizationQueryParametersError : S3Errors.AnonymousAccessDenied;
    }

    /// <summary>
    /// Verifies a request whose whole <paramref name="body"/> was read first (KMS's JSON), signed as
    /// the AWS SDKs sign every service but S3: in the Authorization header, over the body's own
    /// SHA-256 (no x-amz-content-sha256 needed). A query signature would leave the body unsigned:
    /// refused as no signature at all. Null when the request is authentic.
    /// </summary>
    public S3Error? VerifyWithBody(HttpRequest request, ReadOnlySpan<byte> body, SignatureContext context)
    {
        context.Authenticated = false;
        if (HasPresignedParameters(request.Query))
        {
            return S3Errors.AnonymousAccessDenied;
        }

        switch (CountHeaders(request.Headers, "authorization"u8))
        {
            case 0:
                return S3Errors.AnonymousAccessDenied;
            case > 1:
                return S3Errors.MultipleAuthMechanisms;
        }

        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(body, digest);
        Span<byte> bodyHash = stackalloc byte[64];
        Hex.Encode(digest, bodyHash);
        request.Headers.TryGetValue("authorization"u8, out ReadOnlySpan<byte> authorization);
        S3Error? error = VerifyHeader(request, authorization, context, bodyHash);
        context.Authenticated = error is null;
        return error;
    }

    /// <param name="bodyHash">The hex SHA-256 of a body already read; empty: the x-amz-content-sha256 header says what the payload is.</param>
    private S3Error? VerifyHeader(HttpRequest request, ReadOnlySpan<byte> authorization, SignatureContext context, ReadOnlySpan<byte> bodyHash = default)
    {
        if (authorization.StartsWith("AWS "u8))
        {
            return S3Errors.SignatureV2Unsupported;
        }

        if (!SigV4Parameters.TryParseHeader(authorization, out SigV4Parameters parameters))
        {
            return S3Errors.AuthorizationHeaderMalformed;
        }

        ReadOnlySpan<byte> payloadHash = bodyHash;
        if (payloadHash.IsEmpty && !request.Headers.TryGetValue("x-amz-content-sha256"u8, out payloadHash))
        {
            return S3Errors.MissingContentSha256;
        }

        if (!TrySetPayloadMode(payloadHash, context))
        {
            return S3Errors.InvalidContentSha256;
        }

        if (!TryGetRequestTime(request, context, out DateTimeOffset requestTime))
        {
            return S3Errors.MissingDate;
        }

        if (CheckScope(parameters, context, presigned: false) is { } scopeError)
        {
            return scopeError;
        }

        if ((_clock.GetUtcNow() - requestTime).Duration() > MaxClockSkew)
        {
            return S3Errors.RequestTimeTooSkewed;
        }

        return CheckSignature(request, parameters, payloadHash, presigned: false, context);
    }

    private S3Error? VerifyPresigned(HttpRequest request, SignatureContext context)
    {
        ReadOnlySpan<byte> query = request.Query;
        Span<byte> storage = stackalloc byte[1024];
        int used = 0;
        if (!TryGetDecodedParameter(query, "X-Amz-Algorithm"u8, storage, ref used, out ReadOnlySpan<byte> algorithm)
            || !algorithm.SequenceEqual(SigV4Parameters.Algorithm)
            || !TryGetDecodedParameter(query, "X-Amz-Credential"u8, storage, ref used, out ReadOnlySpan<byte> credential)
            || !TryGetDecodedParameter(query, "X-Amz-Date"u8, storage, ref used, out ReadOnlySpan<byte> amzDate)
            || !TryGetDecodedParameter(query, "X-Amz-Expires"u8, storage, ref used, out ReadOnlySpan<byte> expiresText)
            || !TryGetDecodedParameter(query, "X-Amz-SignedHeaders"u8, storage, ref used, out ReadOnlySpan<byte> signedHeaders)
            || !TryGetDecodedParameter(query, "X-Amz-Signature"u8, storage, ref used, out ReadOnlySpan<byte> signature)
            || !Utf8Parser.TryParse(expiresText, out int expires, out int consumed) || consumed != expiresText.Length
            || expires is < 1 or > MaxPresignedExpirySeconds
            || !TryParseAmzDate(amzDate, out DateTimeOffset requestTime))
        {
            return S3Errors.AuthorizationQueryParametersError;
        }

        scoped var parameters = default(SigV4Parameters);
        if (!parameters.TrySetCredential(credential))
        {
            return S3Errors.AuthorizationQueryParametersError;
        }

        parameters.SignedHeaders = signedHeaders;
        parameters.Signature = signature;
        amzDate.CopyTo(context.AmzDate);
        context.Payload = PayloadMode.Unsigned;
        if (CheckScope(parameters, context, presigned: true) is { } scopeError)
        {
            return scopeError;
        }

        DateTimeOffset now = _clock.GetUtcNow();
        if (requestTime - now > MaxClockSkew)
        {
            return S3Errors.RequestNotYetValid;
        }

        if (now > requestTime.AddSeconds(expires))
        {
            return S3Errors.RequestExpired;
        }

        return CheckSignature(request, parameters, "UNSIGNED-PAYLOAD"u8, presigned: true, context);
    }

    private S3Error? CheckScope(in SigV4Parameters parameters, SignatureContext context, bool presigned)
    {
        if (!parameters.Service.SequenceEqual(_service) || !parameters.Terminator.SequenceEqual("aws4_request"u8))
        {
            return _wrongService;
        }

        if (!parameters.Region.SequenceEqual(_region))
        {
            return S3Errors.WrongRegion(Printable(parameters.Region), System.Text.Encoding.ASCII.GetString(_region), presigned);
        }

        if (!parameters.Date.SequenceEqual(context.AmzDate.AsSpan(0, 8)))
        {
            return S3Errors.CredentialDateMismatch;
        }

        if (parameters.Scope.Length > SignatureContext.MaxScopeLength)
        {
            return S3Errors.AuthorizationHeaderMalformed;
        }

        parameters.Scope.CopyTo(context.ScopeBuffer);
        context.ScopeLength = parameters.Scope.Length;
        return null;
    }

    private S3Error? CheckSignature(HttpRequest request, in SigV4Parameters parameters, ReadOnlySpan<byte> payloadHash, bool presigned, SignatureContext context)
    {
        if (!_keys.TryGetSecret(parameters.AccessKey, out byte[] secret))
        {
            return S3Errors.InvalidAccessKeyId;
        }

        if (CheckEverythingSigned(request.Headers, parameters.SignedHeaders) is { } unsigned)
        {
            return unsigned;
        }

        // Signed headers include SSE-C keys, copied here verbatim.
        var canonical = new ScratchBuffer(2048, wipe: true);
        try
        {
            if (!CanonicalRequest.TryBuild(request, parameters.SignedHeaders, payloadHash, presigned, ref canonical))
            {
                return S3Errors.SignedHeaderMissing;
            }

            _signingKeys.GetKey(secret, parameters.Date, parameters.Region, parameters.Service, context.SigningKey);
            ComputeSignature(context.SigningKey, context.AmzDate, context.Scope, canonical.Written, context.SeedSignature);
        }
        finally
        {
            canonical.Dispose();
        }

        return CryptographicOperations.FixedTimeEquals(context.SeedSignature, parameters.Signature) ? null : S3Errors.SignatureDoesNotMatch;
    }

    /// <summary>hex(HMAC(signingKey, "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + hex(SHA256(canonicalRequest)))).</summary>
    internal static void ComputeSignature(ReadOnlySpan<byte> signingKey, ReadOnlySpan<byte> amzDate, ReadOnlySpan<byte> scope, ReadOnlySpan<byte> canonicalRequest, Span<byte> hexSignature)
    {
        Span<byte> digest = stackalloc byte[32];
        Sha256.Hash(canonicalRequest, digest);
        Span<byte> digestHex = stackalloc byte[64];
        Hex.Encode(digest, digestHex);
        StringToSign.Sign(signingKey, SigV4Parameters.Algorithm, amzDate, scope, digestHex, default, default, hexSignature);
    }

    private static bool TrySetPayloadMode(ReadOnlySpan<byte> value, SignatureContext context)
    {
        if (value.SequenceEqual("UNSIGNED-PAYLOAD"u8))
        {
            context.Payload = PayloadMode.Unsigned;
        }
        else if (value.SequenceEqual("STREAMING-UNSIGNED-PAYLOAD-TRAILER"u8))
        {
            context.Payload = PayloadMode.StreamingUnsignedTrailer;
        }
        else if (value.SequenceEqual("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"u8))
        {
            context.Payload = PayloadMode.StreamingSigned;
        }
        else if (value.SequenceEqual("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"u8))
        {
            context.Payload = PayloadMode.StreamingSignedTrailer;
        }
        else if (value.Length == 64 && Hex.TryDecode(value, context.PayloadSha256))
        {
            context.Payload = PayloadMode.Sha256;
        }
        else
        {
            return false;
        }

        return true;
    }

    /// <summary>x-amz-date (ISO 8601 basic) or else Date (RFC 1123), normalized into context.AmzDate.</summary>
    private static bool TryGetRequestTime(HttpRequest request, SignatureContext context, out DateTimeOffset time)
    {
        if (request.Headers.TryGetValue("x-amz-date"u8, out ReadOnlySpan<byte> amzDate))
        {
            // Parsed first: only a well-formed date (16 bytes) is kept.
            if (!TryParseAmzDate(amzDate, out time))
            {
                return false;
            }

            amzDate.CopyTo(context.AmzDate);
            return true;
        }

        if (request.Headers.TryGetValue("date"u8, out ReadOnlySpan<byte> date)
            && Utf8Parser.TryParse(date, out time, out int consumed, 'R') && consumed == date.Length)
        {
            FormatAmzDate(time, context.AmzDate);
            return true;
        }

        time = default;
        return false;
    }

    /// <summary>Parses yyyyMMddTHHmmssZ.</summary>
    internal static bool TryParseAmzDate(ReadOnlySpan<byte> text, out DateTimeOffset time)
    {
        time = default;
        if (text.Length != 16 || text[8] != (byte)'T' || text[15] != (byte)'Z'
            || text[..8].IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0 || text[9..15].IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
        {
            return false;
        }

        int year = Number(text[..4]), month = Number(text[4..6]), day = Number(text[6..8]);
        int hour = Number(text[9..11]), minute = Number(text[11..13]), second = Number(text[13..15]);
        // The year is checked before DaysInMonth, which throws outside 1..9999.
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        time = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }

    private static void FormatAmzDate(DateTimeOffset time, Span<byte> destination)
    {
        time.UtcDateTime.TryFormat(destination, out _, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int Number(ReadOnlySpan<byte> digits)
    {
        int value = 0;
        foreach (byte d in digits)
        {
            value = (value * 10) + (d - '0');
        }

        return value;
    }

    /// <summary>
    /// Host and every x-amz-* header present must be signed, as AWS requires of header-signed and
    /// presigned requests alike: an unsigned x-amz-copy-source, x-amz-meta-* or SSE-C header added
    /// to someone else's presigned URL must not be obeyed. Null when they all are.
    /// </summary>
    private static S3Error? CheckEverythingSigned(HttpRequestHeaders headers, ReadOnlySpan<byte> signedHeaders)
    {
        List<string>? unsigned = ContainsToken(signedHeaders, "host"u8) ? null : ["host"];
        foreach (HttpHeader header in headers)
        {
            if (header.Name.Length > AmzPrefix.Length && System.Text.Ascii.EqualsIgnoreCase(header.Name[..AmzPrefix.Length], AmzPrefix)
                && !ContainsToken(signedHeaders, header.Name))
            {
                // Rare and refused: allocating for the error's list is fine here.
                (unsigned ??= []).Add(System.Text.Encoding.ASCII.GetString(header.Name).ToLowerInvariant());
            }
        }

        return unsigned is null ? null : S3Errors.HeadersNotSigned(string.Join(", ", unsigned.Distinct()));
    }

    private static ReadOnlySpan<byte> AmzPrefix => "x-amz-"u8;

    /// <summary>Whether the ';'-separated list holds <paramref name="token"/> (header names: any case).</summary>
    private static bool ContainsToken(ReadOnlySpan<byte> list, ReadOnlySpan<byte> token)
    {
        foreach (Range range in list.Split((byte)';'))
        {
            if (System.Text.Ascii.EqualsIgnoreCase(list[range], token))
            {
                return true;
            }
        }

        return false;
    }

    private static int CountHeaders(HttpRequestHeaders headers, ReadOnlySpan<byte> name)
    {
        int count = 0;
        foreach (HttpHeader header in headers)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(header.Name, name))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Any parameter of a query-string signature (SigV4 or V2).</summary>
    private static bool HasPresignedParameters(ReadOnlySpan<byte> query)
        => !query.IsEmpty && (ContainsParameter(query, "X-Amz-Signature="u8) || ContainsParameter(query, "X-Amz-Credential="u8)
            || ContainsParameter(query, "X-Amz-Algorithm="u8) || ContainsParameter(query, "AWSAccessKeyId="u8) || ContainsParameter(query, "Signature="u8));

    /// <summary>A client's region for an error message: anything but [a-z0-9-] shown as '?'.</summary>
    private static string Printable(ReadOnlySpan<byte> region)
    {
        var text = new char[Math.Min(region.Length, 64)];
        for (int i = 0; i < text.Length; i++)
        {
            byte c = region[i];
            text[i] = c is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' ? (char)c : '?';
        }

        return new string(text);
    }

    private static bool ContainsParameter(ReadOnlySpan<byte> query, ReadOnlySpan<byte> nameAndEquals)
    {
        foreach (Range range in query.Split((byte)'&'))
        {
            if (query[range].StartsWith(nameAndEquals))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The one parameter called <paramref name="name"/>, decoded; false when it is absent, too long or given twice.</summary>
    private static bool TryGetDecodedParameter(ReadOnlySpan<byte> query, ReadOnlySpan<byte> name, Span<byte> storage, ref int used, out ReadOnlySpan<byte> value)
    {
        value = default;
        bool found = false;
        foreach (Range range in query.Split((byte)'&'))
        {
            ReadOnlySpan<byte> pair = query[range];
            if (pair.Length > name.Length && pair[name.Length] == (byte)'=' && pair.StartsWith(name))
            {
                ReadOnlySpan<byte> raw = pair[(name.Length + 1)..];
                if (found || raw.Length > storage.Length - used)
                {
                    return false;
                }

                int length = UriEncoding.Decode(raw, storage[used..], plusIsSpace: true);
                value = storage.Slice(used, length);
                used += length;
                found = true;
            }
        }

        return found;
    }
}
