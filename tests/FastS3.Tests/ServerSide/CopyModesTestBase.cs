using FastS3.Testing;
using FastS3.Tests.Hosting;
using static FastS3.Tests.ServerSide.EncryptionModes;

namespace FastS3.Tests.ServerSide;

/// <summary>
/// Copies between encryption modes: each test gets a server of its own whose default is plain (so
/// "Plain" means plain, not the server-wide SSE-S3) with the bucket "bucket", and reads that check
/// an object's bytes and echoes (SSE-C: key 1, the copies' key).
/// </summary>
public abstract class CopyModesTestBase : IAsyncLifetime
{
    protected InProcessServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await InProcessServer.StartAsync(extraArguments: ["--default-encryption", "none"]);
        await RawMultipart.CreateBucketAsync(Server, "bucket");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    private protected async Task AssertReadsAsync(string key, EncryptionMode mode, byte[] content, CustomerKeys keys, string what)
    {
        RawResponse read = await RawMultipart.GetAsync(Server, "bucket", key, "", ReadHeaders(mode, keys, 1));
        Assert.True(read.Status == 200, $"{what}: {read.Describe()}");
        Assert.True(content.AsSpan().SequenceEqual(read.Body), $"{what}: other bytes");
        AssertEchoes(mode, read, what);
    }
}
