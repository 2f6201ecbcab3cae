using System.Text.Json;
using FastS3.Testing;

namespace FastS3.Tests.Clients;

/// <summary>rclone 1.60 (Debian's), its S3 backend at its defaults: a single PUT up to 200 MiB, SSE-C with --s3-sse-customer-*.</summary>
public sealed class RcloneTests(ClientTests.Fixture fixture) : SseCClientTests(fixture)
{
    protected override int LargeParts => 1;

    protected override Task CreateBucketAsync(string bucket) => Rclone.RunAsync(Server, "mkdir", Rclone.Remote + bucket);

    protected override Task PutAsync(string bucket, string key, string file, string? customerKey)
        => Rclone.RunAsync(Server, ["copyto", file, $"{Rclone.Remote}{bucket}/{key}", .. CustomerKey(customerKey)]);

    protected override async Task<IReadOnlyList<(string Key, long Size)>> ListAsync(string bucket)
    {
        JsonElement listing = JsonSerializer.Deserialize<JsonElement>(await Rclone.RunAsync(Server, "lsjson", "--recursive", "--files-only", Rclone.Remote + bucket));
        return [.. listing.EnumerateArray().Select(o => (o.GetProperty("Path").GetString()!, o.GetProperty("Size").GetInt64()))];
    }

    protected override async Task<long> HeadAsync(string bucket, string key, string? customerKey)
    {
        JsonElement stat = JsonSerializer.Deserialize<JsonElement>(await Rclone.RunAsync(Server, ["lsjson", "--stat", $"{Rclone.Remote}{bucket}/{key}", .. CustomerKey(customerKey)]));
        return stat.GetProperty("Size").GetInt64();
    }

    // Copied out of the bucket's listing, not with copyto: copyto (and cat) first HEAD the path to
    // learn whether it names a file, and take any error for "a directory". An SSE-C object's HEAD
    // without its key fails (400, as on AWS), so copyto would copy an empty directory and exit 0.
    protected override async Task GetAsync(string bucket, string key, string file, string? customerKey)
    {
        string into = Path.Combine(WorkDir, Guid.NewGuid().ToString("N"));
        await Rclone.RunAsync(Server, ["copy", Rclone.Remote + bucket, into, "--include", "/" + key, .. CustomerKey(customerKey)]);
        File.Move(Path.Combine(into, key), file);
    }

    protected override Task DeleteAsync(string bucket, string key) => Rclone.RunAsync(Server, "deletefile", $"{Rclone.Remote}{bucket}/{key}");

    protected override Task DeleteBucketAsync(string bucket) => Rclone.RunAsync(Server, "rmdir", Rclone.Remote + bucket);

    private static string[] CustomerKey(string? key) => key is null ? [] : ["--s3-sse-customer-algorithm", "AES256", "--s3-sse-customer-key-base64", key];
}
