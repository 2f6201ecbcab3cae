using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using FastS3.Basics;
using FastS3.Http;

namespace FastS3.Api;

/// <summary>What a write's x-amz-server-side-encryption headers ask for. <c>default</c>: nothing.</summary>
public readonly record struct ServerSideRequest(ServerSideAlgorithm Algorithm, string? KmsKeyId, byte[]? Context, bool BucketKeyEnabled)
{
    public bool IsPresent => Algorithm != ServerSideAlgorithm.None;
}

/// <summary>
/// The SSE-S3 and SSE-KMS request headers (x-amz-server-side-encryption and its -aws-kms-key-id,
/// -context and -bucket-key-enabled) as AWS reads them, and the answer's echo of them.
/// </summary>
public static class ServerSideEncryption
{
    /// <summary>The most an encryption context may hold, decoded: it is stored beside the sealed key, in clear, as AWS treats it.</summary>
    public const int MaxContextLength = 2048;

    public static ReadOnlySpan<byte> AlgorithmHeader => "x-amz-server-side-encryption"u8;

    public static ReadOnlySpan<byte> KeyIdHeader => "x-amz-server-side-encryption-aws-kms-key-id"u8;

    public static ReadOnlySpan<byte> ContextHeader => "x-amz-server-side-encryption-context"u8;

    public static ReadOnlySpan<byte> BucketKeyHeader => "x-amz-server-side-encryption-bucket-key-enabled"u8;

    /// <summary>The KMS key ids, ARNs and aliases a request may name are at most this long.</summary>
    private const int MaxKeyIdLength = 2048;

    /// <summary>Reads the four headers; a request without any is <c>default</c>, not an error.</summary>
    public static S3Error? Parse(HttpRequestHeaders headers, out ServerSideRequest request)
    {
        request = default;
        bool hasAlgorithm = headers.TryGetValue(AlgorithmHeader, out ReadOnlySpan<byte> algorithmName);
        bool hasKeyId = headers.TryGetValue(KeyIdHeader, out ReadOnlySpan<byte> keyId);
        bool hasContext = headers.TryGetValue(ContextHeader, out ReadOnlySpan<byte> context);
        bool hasBucketKey = headers.TryGetValue(BucketKeyHeader, out ReadOnlySpan<byte> bucketKey);
        if (!hasAlgorithm && !hasKeyId && !hasContext && !hasBucketKey)
        {
            return null;
        }

        ServerSideAlgorithm algorithm = algorithmName.SequenceEqual("AES256"u8) ? ServerSideAlgorithm.Aes256
            : algorithmName.SequenceEqual("aws:kms"u8) ? ServerSideAlgorithm.AwsKms
            : ServerSideAlgorithm.None;
        if (algorithm == ServerSideAlgorithm.None)
        {
            return !hasAlgorithm ? S3Errors.SseKmsHeaderWithoutKms
                : algorithmName.SequenceEqual("aws:kms:dsse"u8) ? S3Errors.SseDsseUnsupported
                : S3Errors.SseMethodInvalid;
        }

        if ((hasKeyId || hasContext) && algorithm != ServerSideAlgorithm.AwsKms)
        {
            return S3Errors.SseKmsHeaderWithoutKms;
        }

        bool bucketKeyEnabled = false;
        if (hasBucketKey && !TryParseBoolean(bucketKey, out bucketKeyEnabled))
        {
            return S3Errors.SseBucketKeyInvalid;
        }

        if (hasKeyId && (keyId.IsEmpty || keyId.Length > MaxKeyIdLength || !System.Text.Ascii.IsValid(keyId)))
        {
            return S3Errors.KmsKeyNotFound;
        }

        byte[]? decodedContext = null;
        if (hasContext && (decodedContext = DecodeContext(context)) is null)
        {
            return S3Errors.SseContextInvalid;
        }

        request = new ServerSideRequest(algorithm, hasKeyId ? System.Text.Encoding.ASCII.GetString(keyId) : null, decodedContext, bucketKeyEnabled);
        return null;
    }

    /// <summary>True when any of the four headers is present.</summary>
    public static bool AnyPresent(HttpRequestHeaders headers)
        => headers.Contains(AlgorithmHeader) || headers.Contains(KeyIdHeader) || headers.Contains(ContextHeader) || headers.Contains(BucketKeyHeader);

    /// <summary>
    /// The answer's x-amz-server-side-encryption (and for SSE-KMS the key's ARN and whether a bucket
    /// key was used), as S3 gives them on writes, GET and HEAD.
    /// </summary>
    public static void Echo(HttpResponse response, ServerSideAlgorithm algorithm, ReadOnlySpan<byte> keyArn, bool bucketKeyEnabled)
    {
        response.Headers.Add(AlgorithmHeader, algorithm == ServerSideAlgorithm.Aes256 ? "AES256"u8 : "aws:kms"u8);
        if (algorithm == ServerSideAlgorithm.AwsKms)
        {
            response.Headers.Add(KeyIdHeader, keyArn);
        }

        if (bucketKeyEnabled)
        {
            response.Headers.Add(BucketKeyHeader, "true"u8);
        }
    }

    private static bool TryParseBoolean(ReadOnlySpan<byte> value, out bool parsed)
    {
        parsed = System.Text.Ascii.EqualsIgnoreCase(value, "true"u8);
        return parsed || System.Text.Ascii.EqualsIgnoreCase(value, "false"u8);
    }

    /// <summary>The context's JSON (a string-to-string object), or null when the header does not hold one.</summary>
    private static byte[]? DecodeContext(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length > Base64.GetMaxEncodedToUtf8Length(MaxContextLength))
        {
            return null;
        }

        byte[] json = new byte[Base64.GetMaxDecodedFromUtf8Length(encoded.Length)];
        if (Base64.DecodeFromUtf8(encoded, json, out _, out int length) != OperationStatus.Done || length == 0 || length > MaxContextLength)
        {
            return null;
        }

        json = json[..length];
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 2 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return null;
                }
            }

            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() ? json : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
