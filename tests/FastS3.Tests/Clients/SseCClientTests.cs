using System.Security.Cryptography;
using FastS3.Testing;

namespace FastS3.Tests.Clients;

/// <summary>
/// A client that supports SSE-C: objects put, stated and read back under a customer key, and a read
/// without it or with another refused with the S3 error the client shows its user.
/// </summary>
public abstract class SseCClientTests(ClientTests.Fixture fixture) : ClientTests(fixture)
{
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string OtherKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The sizes put under a customer key: the small one and the 20 MiB one (multipart where the client does it).</summary>
    protected virtual int[] SseCSizes => [SmallSize, LargeSize];

    /// <summary>What the client reports for a read of an SSE-C object without its key: S3's 400 InvalidRequest.</summary>
    protected virtual (int? Status, string Code) RefusedWithoutKey => (400, "InvalidRequest");

    /// <summary>What the client reports for a read of an SSE-C object with another key: S3's 403 AccessDenied.</summary>
    protected virtual (int? Status, string Code) RefusedWithOtherKey => (403, "AccessDenied");

    /// <summary>Puts under <paramref name="customerKey"/> (base64 of 32 bytes) when given, plainly otherwise.</summary>
    protected abstract Task PutAsync(string bucket, string key, string file, string? customerKey);

    protected abstract Task GetAsync(string bucket, string key, string file, string? customerKey);

    /// <summary>The object's size, as the client's HEAD (stat) reports it.</summary>
    protected abstract Task<long> HeadAsync(string bucket, string key, string? customerKey);

    protected sealed override Task PutAsync(string bucket, string key, string file) => PutAsync(bucket, key, file, customerKey: null);

    protected sealed override Task GetAsync(string bucket, string key, string file) => GetAsync(bucket, key, file, customerKey: null);

    [Fact]
    public async Task SseCPutHeadGet()
    {
        const string bucket = "sse-c";
        await CreateBucketAsync(bucket);
        foreach (int size in SseCSizes)
        {
            string key = $"sealed-{size}";
            byte[] data = RandomNumberGenerator.GetBytes(size);
            await PutAsync(bucket, key, WriteFile(data), Key);
            await AssertStoredAsync(bucket, key, data, Key);
            Assert.Equal(size, await HeadAsync(bucket, key, Key));
            string file = NewFile();
            await GetAsync(bucket, key, file, Key);
            AssertSameBytes(data, file);
        }
    }

    [Fact]
    public async Task SseCReadWithoutTheKeyIsRefused()
    {
        await AssertReadRefusedAsync("sse-c-no-key", customerKey: null, RefusedWithoutKey);
    }

    [Fact]
    public async Task SseCReadWithAnotherKeyIsRefused()
    {
        await AssertReadRefusedAsync("sse-c-other-key", OtherKey, RefusedWithOtherKey);
    }

    private async Task AssertReadRefusedAsync(string bucket, string? customerKey, (int? Status, string Code) expected)
    {
        await CreateBucketAsync(bucket);
        await PutAsync(bucket, "sealed", WriteFile(RandomNumberGenerator.GetBytes(SmallSize)), Key);
        string file = NewFile();
        S3ClientError refused = await Assert.ThrowsAsync<S3ClientError>(() => GetAsync(bucket, "sealed", file, customerKey));
        Assert.Equal(expected, (refused.Status, refused.Code));
        Assert.False(File.Exists(file) && new FileInfo(file).Length > 0, "a refused read wrote data");
    }
}
