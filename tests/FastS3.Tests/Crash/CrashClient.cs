using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using FastS3.Basics;
using FastS3.Testing;

namespace FastS3.Tests.Crash;

/// <summary>
/// The crash tests' S3 calls on their bucket, through AWSSDK.S3: requests carry no checksum unless
/// one is asked for (S3 then stores a CRC64NVME); a PUT that names one goes through a second client
/// at the SDK's defaults, which computes it and sends it as an aws-chunked trailer. Reads find the
/// customer key that opens an object and report what it holds.
/// </summary>
internal sealed class CrashClient(ServerProcess server, CustomerKeys keys) : IDisposable
{
    public const string Bucket = "crash";

    /// <summary>What <see cref="ReadAsync"/> reports as the checksum when the object changed between its GET and its HEAD.</summary>
    public const string ChangedWhileRead = "changed while read";

    public AmazonS3Client Sdk { get; } = SdkClients.Create(server.BaseUrl, configure: config =>
    {
        config.Timeout = TimeSpan.FromSeconds(60);
        config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
        config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
    });

    private readonly AmazonS3Client _checksummed = SdkClients.Create(server.BaseUrl, configure: config => config.Timeout = TimeSpan.FromSeconds(60));

    public CustomerKeys Keys => keys;

    /// <summary>PutObject; returns the ETag answered.</summary>
    public async Task<string> PutAsync(string key, byte[] body, int? customerKey, ChecksumAlgorithm? checksum, CancellationToken stop)
    {
        var request = new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(body), ChecksumAlgorithm = checksum };
        keys.Set(customerKey, (method, value) => (request.ServerSideEncryptionCustomerMethod, request.ServerSideEncryptionCustomerProvidedKey) = (method, value));
        return (await (checksum is null ? Sdk : _checksummed).PutObjectAsync(request, stop)).ETag;
    }

    public Task DeleteAsync(string key, CancellationToken stop) => Sdk.DeleteObjectAsync(Bucket, key, stop);

    public async Task<string> InitiateAsync(string key, int? customerKey, CancellationToken stop)
    {
        var request = new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key };
        keys.Set(customerKey, (method, value) => (request.ServerSideEncryptionCustomerMethod, request.ServerSideEncryptionCustomerProvidedKey) = (method, value));
        return (await Sdk.InitiateMultipartUploadAsync(request, stop)).UploadId;
    }

    /// <summary>Sends a part; returns the ETag the server answered.</summary>
    public async Task<string> UploadPartAsync(Upload upload, Piece piece, byte[] bytes, CancellationToken stop)
    {
        var request = new UploadPartRequest { BucketName = Bucket, Key = upload.Key, UploadId = upload.Id, PartNumber = piece.Number, InputStream = new MemoryStream(bytes) };
        keys.Set(upload.CustomerKey, (method, value) => (request.ServerSideEncryptionCustomerMethod, request.ServerSideEncryptionCustomerProvidedKey) = (method, value));
        return (await Sdk.UploadPartAsync(request, stop)).ETag;
    }

    /// <summary>Completes the upload with <paramref name="parts"/> (number, ETag); returns the object's ETag.</summary>
    public async Task<string> CompleteAsync(Upload upload, IEnumerable<(int Number, string ETag)> parts, CancellationToken stop)
    {
        var request = new CompleteMultipartUploadRequest { BucketName = Bucket, Key = upload.Key, UploadId = upload.Id };
        request.AddPartETags(parts.Select(part => new PartETag(part.Number, part.ETag)));
        if (upload.CustomerKey is int key)
        {
            request.SSECustomerAlgorithm = "AES256";
            request.SSECustomerKey = keys.Base64(key);
            request.SSECustomerKeyMD5 = keys.Md5(key);
        }

        return (await Sdk.CompleteMultipartUploadAsync(request, stop)).ETag;
    }

    public Task AbortAsync(string key, string uploadId, CancellationToken stop) => Sdk.AbortMultipartUploadAsync(Bucket, key, uploadId, stop);

    /// <summary>
    /// CopyObject of <paramref name="source"/> as long as it still has ETag <paramref name="ifMatch"/>
    /// (opened with <paramref name="sourceKey"/>) onto <paramref name="destination"/> (under
    /// <paramref name="customerKey"/>); <paramref name="replace"/> sends the REPLACE directive.
    /// Returns the ETag answered.
    /// </summary>
    public async Task<string> CopyAsync(string source, string ifMatch, int? sourceKey, string destination, int? customerKey, bool replace, CancellationToken stop)
    {
        var request = new CopyObjectRequest
        {
            SourceBucket = Bucket,
            SourceKey = source,
            DestinationBucket = Bucket,
            DestinationKey = destination,
            ETagToMatch = $"\"{ifMatch}\"",
            MetadataDirective = replace ? S3MetadataDirective.REPLACE : S3MetadataDirective.COPY,
        };
        keys.Set(sourceKey, (method, value) => (request.CopySourceServerSideEncryptionCustomerMethod, request.CopySourceServerSideEncryptionCustomerProvidedKey) = (method, value));
        keys.Set(customerKey, (method, value) => (request.ServerSideEncryptionCustomerMethod, request.ServerSideEncryptionCustomerProvidedKey) = (method, value));
        return (await Sdk.CopyObjectAsync(request, stop)).ETag;
    }

    /// <summary>
    /// What <paramref name="key"/> holds (null: nothing): the body read whole, with the first customer
    /// key that opens it, then the ETag and checksum a HEAD with checksum mode on reports.
    /// </summary>
    public async Task<Observed?> ReadAsync(string key, CancellationToken stop = default)
    {
        // While writers are at work the object can change between two attempts, so that no key fits
        // any more: start over then, a few times.
        for (int pass = 0; ; pass++)
        {
            for (int attempt = -1; attempt < keys.Count; attempt++)
            {
                try
                {
                    return await ReadAsync(key, attempt < 0 ? null : attempt, stop);
                }
                catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }
                catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden && (attempt + 1 < keys.Count || pass < 3))
                {
                    // SSE-C (400 without a key or with one on a plain object, 403 with another key): try the next.
                }
            }
        }
    }

    private async Task<Observed> ReadAsync(string key, int? customerKey, CancellationToken stop)
    {
        var get = new GetObjectRequest { BucketName = Bucket, Key = key };
        keys.Set(customerKey, (method, value) => (get.ServerSideEncryptionCustomerMethod, get.ServerSideEncryptionCustomerProvidedKey) = (method, value));
        byte[] bytes;
        string etag;
        using (GetObjectResponse response = await Sdk.GetObjectAsync(get, stop))
        {
            using var body = new MemoryStream();
            await response.ResponseStream.CopyToAsync(body, stop);
            bytes = body.ToArray();
            etag = response.ETag.Trim('"');
        }

        var head = new GetObjectMetadataRequest { BucketName = Bucket, Key = key, ChecksumMode = ChecksumMode.ENABLED };
        keys.Set(customerKey, (method, value) => (head.ServerSideEncryptionCustomerMethod, head.ServerSideEncryptionCustomerProvidedKey) = (method, value));
        GetObjectMetadataResponse metadata = await Sdk.GetObjectMetadataAsync(head, stop);
        (string Algorithm, string? Value)[] checksums =
        [
            ("CRC32", metadata.ChecksumCRC32), ("CRC32C", metadata.ChecksumCRC32C), ("CRC64NVME", metadata.ChecksumCRC64NVME),
            ("SHA1", metadata.ChecksumSHA1), ("SHA256", metadata.ChecksumSHA256),
        ];
        string checksum = metadata.ETag.Trim('"') != etag ? ChangedWhileRead
            : string.Join(" ", checksums.Where(c => c.Value is not null).Select(c => $"{c.Algorithm}:{c.Value}:{metadata.ChecksumType?.Value}"));
        return new Observed(Convert.ToHexString(SHA256.HashData(bytes)), customerKey, etag, checksum, Content.DescribeBlocks(bytes));
    }

    public void Dispose()
    {
        Sdk.Dispose();
        _checksummed.Dispose();
    }
}
