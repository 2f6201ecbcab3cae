using FastS3.Testing;

namespace FastS3.Tests.Clients;

/// <summary>
/// The AWS SDK for JavaScript v3 (@aws-sdk/client-s3, and lib-storage's Upload: multipart in 5 MiB
/// parts above 5 MiB) at its defaults (CRC32 checksums), SSE-C with SSECustomerKey.
/// </summary>
public sealed class JsSdkTests(ClientTests.Fixture fixture) : SseCClientTests(fixture)
{
    protected override int LargeParts => 4;

    protected override Task CreateBucketAsync(string bucket) => JsSdk.RunAsync(Server, "mb", bucket);

    protected override Task PutAsync(string bucket, string key, string file, string? customerKey)
        => JsSdk.RunAsync(Server, "put", [bucket, key, file, .. CustomerKey(customerKey)]);

    protected override async Task<IReadOnlyList<(string Key, long Size)>> ListAsync(string bucket)
        => [.. (await JsSdk.RunAsync(Server, "ls", bucket)).EnumerateArray().Select(o => (o.GetProperty("key").GetString()!, o.GetProperty("size").GetInt64()))];

    protected override async Task<long> HeadAsync(string bucket, string key, string? customerKey)
        => (await JsSdk.RunAsync(Server, "head", [bucket, key, .. CustomerKey(customerKey)])).GetProperty("size").GetInt64();

    protected override Task GetAsync(string bucket, string key, string file, string? customerKey)
        => JsSdk.RunAsync(Server, "get", [bucket, key, file, .. CustomerKey(customerKey)]);

    protected override Task DeleteAsync(string bucket, string key) => JsSdk.RunAsync(Server, "rm", bucket, key);

    protected override Task DeleteBucketAsync(string bucket) => JsSdk.RunAsync(Server, "rb", bucket);

    private static string[] CustomerKey(string? key) => key is null ? [] : [key];
}
