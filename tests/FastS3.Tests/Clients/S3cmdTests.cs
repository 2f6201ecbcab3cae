using FastS3.Testing;

namespace FastS3.Tests.Clients;

/// <summary>
/// s3cmd 2.3 (Debian's) at its defaults: multipart in 15 MiB chunks. No SSE-C tests: s3cmd 2.3 has
/// no SSE-C options (only --server-side-encryption, SSE-S3, and --server-side-encryption-kms-id).
/// </summary>
public sealed class S3cmdTests(ClientTests.Fixture fixture) : ClientTests(fixture)
{
    protected override int LargeParts => 2;

    protected override Task CreateBucketAsync(string bucket) => S3cmd.RunAsync(Server, "mb", $"s3://{bucket}");

    protected override Task PutAsync(string bucket, string key, string file) => S3cmd.RunAsync(Server, "put", file, $"s3://{bucket}/{key}");

    // Lines of "DATE TIME SIZE s3://BUCKET/KEY".
    protected override async Task<IReadOnlyList<(string Key, long Size)>> ListAsync(string bucket)
    {
        string listing = await S3cmd.RunAsync(Server, "ls", "--recursive", $"s3://{bucket}");
        string prefix = $"s3://{bucket}/";
        return [.. listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries))
            .Select(fields => (fields[3][prefix.Length..], long.Parse(fields[2])))];
    }

    protected override Task GetAsync(string bucket, string key, string file) => S3cmd.RunAsync(Server, "get", $"s3://{bucket}/{key}", file);

    protected override Task DeleteAsync(string bucket, string key) => S3cmd.RunAsync(Server, "del", $"s3://{bucket}/{key}");

    protected override Task DeleteBucketAsync(string bucket) => S3cmd.RunAsync(Server, "rb", $"s3://{bucket}");
}
