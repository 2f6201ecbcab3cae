using System.Runtime.CompilerServices;
using System.Text;
using System.Xml;
using FastS3.Basics;
using FastS3.Storage;
using FastS3.Xml;

namespace FastS3.Api;

/// <summary>
/// PutBucketEncryption, GetBucketEncryption and DeleteBucketEncryption: a bucket's default
/// encryption, SSE-S3 (AES256) or SSE-KMS (aws:kms, with a KMS key or without: the default key),
/// which writes without x-amz-server-side-encryption get (<see cref="DefaultFor"/>). A bucket
/// without one takes the server-wide default (<see cref="S3Options.DefaultEncryption"/>), which
/// GetBucketEncryption reports as AWS reports its own (AES256 for every bucket since 2023).
/// </summary>
public sealed class BucketEncryption(Store store, S3Options options)
{
    /// <summary>A configuration is a few hundred bytes with the longest key id; anything larger is not one.</summary>
    private const int MaxDocumentSize = 16 * 1024;

    /// <summary>What a write to <paramref name="bucket"/> without encryption headers gets: the bucket's default if it has one, else the server's. Reads a cached field.</summary>
    public static (ServerSideAlgorithm Algorithm, string? KmsKeyId, bool BucketKeyEnabled) DefaultFor(Bucket bucket, S3Options options)
        => bucket.Encryption is { } config
            ? ((ServerSideAlgorithm)config.Algorithm, config.KmsKeyId, config.BucketKeyEnabled)
            : (options.DefaultEncryption, null, false);

    public ValueTask<S3Error?> GetAsync(S3Call call)
    {
        if (store.FindBucket(call.BucketName) is not { } bucket)
        {
            return ValueTask.FromResult<S3Error?>(S3Errors.NoSuchBucket);
        }

        (ServerSideAlgorithm algorithm, string? keyId, bool bucketKey) = DefaultFor(bucket, options);
        if (algorithm == ServerSideAlgorithm.None)
        {
            return ValueTask.FromResult<S3Error?>(S3Errors.NoSuchEncryptionConfiguration);
        }

        var xml = new XmlBuilder(512);
        try
        {
            xml.OpenRoot("ServerSideEncryptionConfiguration"u8);
            xml.Open("Rule"u8);
            xml.Open("ApplyServerSideEncryptionByDefault"u8);
            xml.Element("SSEAlgorithm"u8, algorithm == ServerSideAlgorithm.AwsKms ? AwsKms : Aes256);
            if (keyId is not null)
            {
                xml.Element("KMSMasterKeyID"u8, Encoding.UTF8.GetBytes(keyId));
            }

            xml.Close("ApplyServerSideEncryptionByDefault"u8);
            xml.Element("BucketKeyEnabled"u8, bucketKey);
            xml.Close("Rule"u8);
            xml.Close("ServerSideEncryptionConfiguration"u8);
            xml.WriteTo(call.Response);
        }
        finally
        {
            xml.Dispose();
        }

        return ValueTask.FromResult<S3Error?>(null);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> PutAsync(S3Call call)
    {
        if (store.FindBucket(call.BucketName) is not { } bucket)
        {
            return S3Errors.NoSuchBucket;
        }

        // S3 requires a digest of the configuration, as of a bucket's tags.
        (S3Error? error, ReadOnlyMemory<byte> body) = await RequestBody.ReadVerifiedAsync(call, MaxDocumentSize, digestRequired: true);
        BucketEncryptionConfig? config = null;
        return error ?? Parse(body, out config) ?? await SetAsync(call, bucket, config, status: 200);
    }

    public ValueTask<S3Error?> DeleteAsync(S3Call call)
        => store.FindBucket(call.BucketName) is { } bucket
            ? SetAsync(call, bucket, null, status: 204)
            : ValueTask.FromResult<S3Error?>(S3Errors.NoSuchBucket);

    private static ReadOnlySpan<byte> Aes256 => "AES256"u8;

    private static ReadOnlySpan<byte> AwsKms => "aws:kms"u8;

    private static async ValueTask<S3Error?> SetAsync(S3Call call, Bucket bucket, BucketEncryptionConfig? config, int status)
    {
        // DeleteBucket may have removed the bucket since it was found.
        if (bucket.IsDeleted)
        {
            return S3Errors.NoSuchBucket;
        }

        await bucket.SetEncryptionAsync(config);
        call.Response.StatusCode = status;
        call.Response.ContentLength = 0;
        return null;
    }

    /// <summary>
    /// A ServerSideEncryptionConfiguration: exactly one Rule, with one ApplyServerSideEncryptionByDefault
    /// (an SSEAlgorithm, a KMSMasterKeyID for aws:kms alone) and at most one BucketKeyEnabled; any
    /// other element, a value repeated or a boolean other than true or false is MalformedXML.
    /// </summary>
    private static S3Error? Parse(ReadOnlyMemory<byte> body, out BucketEncryptionConfig? config)
    {
        config = null;
        string? algorithm = null;
        string? keyId = null;
        string? bucketKey = null;
        int rules = 0;
        bool defaults = false;

        bool TakeDefault(XmlReader e) => e.LocalName switch
        {
            "SSEAlgorithm" => Once(e, ref algorithm),
            "KMSMasterKeyID" => Once(e, ref keyId),
            _ => false,
        };

        bool TakeRule(XmlReader e) => e.LocalName switch
        {
            "ApplyServerSideEncryptionByDefault" => !defaults && (defaults = true) && RequestXml.ForEachChildElement(e, TakeDefault),
            "BucketKeyEnabled" => Once(e, ref bucketKey),
            _ => false,
        };

        try
        {
            using XmlReader reader = RequestXml.Open(body);
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "ServerSideEncryptionConfiguration"
                || !RequestXml.ForEachChildElement(reader, e => e.LocalName == "Rule" && ++rules == 1 && RequestXml.ForEachChildElement(e, TakeRule)))
            {
                return S3Errors.MalformedXML;
            }

            // What follows the configuration must be well-formed too (comments, not a second root).
            while (reader.Read())
            {
            }
        }
        catch (XmlException)
        {
            return S3Errors.MalformedXML;
        }

        if (rules != 1 || bucketKey is not (null or "true" or "false"))
        {
            return S3Errors.MalformedXML;
        }

        ServerSideAlgorithm chosen;
        switch (algorithm)
        {
            case "AES256":
                chosen = ServerSideAlgorithm.Aes256;
                break;
            case "aws:kms":
                chosen = ServerSideAlgorithm.AwsKms;
                break;
            case "aws:kms:dsse":
                return S3Errors.DsseNotSupported;
            default:
                return S3Errors.MalformedXML;
        }

        // An empty key id is none: aws:kms then means the KMS's default key, as on AWS.
        keyId = string.IsNullOrEmpty(keyId) ? null : keyId;
        if (keyId is not null && chosen != ServerSideAlgorithm.AwsKms)
        {
            return S3Errors.KmsKeyIdNotApplicable;
        }

        if (keyId is not null && Encoding.UTF8.GetByteCount(keyId) > BucketEncryptionConfig.MaxKmsKeyIdLength)
        {
            return S3Errors.KmsKeyIdTooLong;
        }

        config = new BucketEncryptionConfig((byte)chosen, keyId, bucketKey == "true");
        return null;
    }

    /// <summary>A value element's text into <paramref name="value"/>; false when it was already given.</summary>
    private static bool Once(XmlReader element, ref string? value)
    {
        if (value is not null)
        {
            return false;
        }

        value = element.ReadElementContentAsString();
        return true;
    }
}
