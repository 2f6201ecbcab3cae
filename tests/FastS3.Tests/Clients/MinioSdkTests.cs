using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using Minio;
using Minio.DataModel;
using Minio.DataModel.Args;
using Minio.DataModel.Encryption;
using Minio.Exceptions;
using FastS3.Testing;

namespace FastS3.Tests.Clients;

/// <summary>
/// The MinIO .NET SDK 7.0.0 at its defaults (path style for an endpoint other than AWS; the 20 MiB
/// object in two parts), SSE-C with <see cref="SSEC"/>, the server's certificate trusted by the
/// HttpClient it is given.
/// </summary>
public sealed class MinioSdkTests : SseCClientTests
{
    private readonly IMinioClient _client;

    public MinioSdkTests(Fixture fixture)
        : base(fixture)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            CustomTrustStore = { X509Certificate2.CreateFromPem(File.ReadAllText(Server.CertificatePath)) },
        };
        _client = new MinioClient()
            .WithEndpoint(Server.BaseUrl.Host, Server.BaseUrl.Port)
            .WithCredentials(AwsCli.AccessKey, AwsCli.SecretKey)
            .WithSSL()
            .WithHttpClient(new HttpClient(handler), disposeHttpClient: true)
            .Build();
    }

    protected override int LargeParts => 2;

    // GetObjectAsync stats the object first, and a HEAD's error has no body to read a code from: the
    // SDK names it by status alone, a 400 "invalid object name", a 403 "access denied", and keeps
    // neither the status nor the response.
    protected override (int? Status, string Code) RefusedWithoutKey => (null, nameof(InvalidObjectNameException));

    protected override (int? Status, string Code) RefusedWithOtherKey => (null, nameof(AccessDeniedException));

    protected override Task CreateBucketAsync(string bucket) => _client.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket));

    protected override Task PutAsync(string bucket, string key, string file, string? customerKey)
        => _client.PutObjectAsync(new PutObjectArgs().WithBucket(bucket).WithObject(key).WithFileName(file).WithServerSideEncryption(Ssec(customerKey)));

    protected override async Task<IReadOnlyList<(string Key, long Size)>> ListAsync(string bucket)
    {
        var objects = new List<(string, long)>();
        await foreach (Item item in _client.ListObjectsEnumAsync(new ListObjectsArgs().WithBucket(bucket).WithRecursive(true)))
        {
            objects.Add((item.Key, (long)item.Size));
        }

        return objects;
    }

    protected override async Task<long> HeadAsync(string bucket, string key, string? customerKey)
        => (await _client.StatObjectAsync(new StatObjectArgs().WithBucket(bucket).WithObject(key).WithServerSideEncryption(Ssec(customerKey)))).Size;

    protected override async Task GetAsync(string bucket, string key, string file, string? customerKey)
    {
        try
        {
            await _client.GetObjectAsync(new GetObjectArgs().WithBucket(bucket).WithObject(key).WithFile(file).WithServerSideEncryption(Ssec(customerKey)));
        }
        catch (MinioException e)
        {
            throw new S3ClientError((int?)e.ServerResponse?.StatusCode, e.Response?.Code ?? e.GetType().Name, e.Message);
        }
    }

    protected override Task DeleteAsync(string bucket, string key) => _client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(bucket).WithObject(key));

    protected override Task DeleteBucketAsync(string bucket) => _client.RemoveBucketAsync(new RemoveBucketArgs().WithBucket(bucket));

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    private static SSEC? Ssec(string? customerKey) => customerKey is null ? null : new SSEC(Convert.FromBase64String(customerKey));
}
