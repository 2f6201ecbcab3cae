using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests.Clients;

/// <summary>
/// One S3 client at its default settings over HTTPS, against a server of its own: a derived class
/// says how the client does each step, this one what must come of it, checked byte for byte and
/// through AWSSDK.S3 as a second observer (what was stored, whether the upload went in parts).
/// </summary>
public abstract class ClientTests : IClassFixture<ClientTests.Fixture>, IDisposable
{
    protected const int SmallSize = 10_007;
    protected const int LargeSize = 20 << 20;

    private readonly AmazonS3Client _observer;

    protected ClientTests(Fixture fixture)
    {
        Server = fixture.Server;
        _observer = SdkClients.Create(Server.BaseUrl);
    }

    public sealed class Fixture() : SharedServer(tls: true, [])
    {
        protected override Task PrepareAsync(InProcessServer server) => Task.CompletedTask;
    }

    protected InProcessServer Server { get; }

    /// <summary>A directory of the test's own for the files the client uploads and downloads.</summary>
    protected string WorkDir { get; } = Directory.CreateTempSubdirectory("fasts3-client-").FullName;

    /// <summary>How many parts the client uploads the 20 MiB object in by default (1: a single PUT).</summary>
    protected abstract int LargeParts { get; }

    protected abstract Task CreateBucketAsync(string bucket);

    protected abstract Task PutAsync(string bucket, string key, string file);

    /// <summary>Every object in the bucket (all "directories" down), by key.</summary>
    protected abstract Task<IReadOnlyList<(string Key, long Size)>> ListAsync(string bucket);

    protected abstract Task GetAsync(string bucket, string key, string file);

    protected abstract Task DeleteAsync(string bucket, string key);

    protected abstract Task DeleteBucketAsync(string bucket);

    [Fact]
    public async Task PutListGetDelete()
    {
        const string bucket = "walkthrough";
        await CreateBucketAsync(bucket);
        (string Key, byte[] Data)[] objects = [("nested/large.bin", RandomNumberGenerator.GetBytes(LargeSize)), ("small.bin", RandomNumberGenerator.GetBytes(SmallSize))];
        foreach ((string key, byte[] data) in objects)
        {
            await PutAsync(bucket, key, WriteFile(data));
            await AssertStoredAsync(bucket, key, data, customerKey: null);
        }

        Assert.Equal([.. objects.Select(o => (o.Key, (long)o.Data.Length))], await ListAsync(bucket));
        foreach ((string key, byte[] data) in objects)
        {
            string file = NewFile();
            await GetAsync(bucket, key, file);
            AssertSameBytes(data, file);
        }

        foreach ((string key, _) in objects)
        {
            await DeleteAsync(bucket, key);
        }

        Assert.Empty(await ListAsync(bucket));
        await DeleteBucketAsync(bucket);
        ListBucketsResponse buckets = await _observer.ListBucketsAsync();
        Assert.DoesNotContain(bucket, (buckets.Buckets ?? []).Select(b => b.BucketName));
    }

    public virtual void Dispose()
    {
        _observer.Dispose();
        Directory.Delete(WorkDir, recursive: true);
    }

    /// <summary>A new file in <see cref="WorkDir"/> holding <paramref name="data"/>.</summary>
    protected string WriteFile(byte[] data)
    {
        string file = NewFile();
        File.WriteAllBytes(file, data);
        return file;
    }

    /// <summary>A path in <see cref="WorkDir"/> where nothing is yet.</summary>
    protected string NewFile() => Path.Combine(WorkDir, Guid.NewGuid().ToString("N"));

    protected static void AssertSameBytes(byte[] expected, string file)
    {
        byte[] actual = File.ReadAllBytes(file);
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{file}: {actual.Length} bytes read back differ from the {expected.Length} put");
    }

    /// <summary>
    /// What the server holds for <paramref name="key"/>, seen by AWSSDK.S3: its size, SSE-C under
    /// <paramref name="customerKey"/> when given, and an ETag saying whether it went up in one PUT
    /// (the content's MD5 when unencrypted) or in as many parts as the client uses for its size.
    /// </summary>
    protected async Task AssertStoredAsync(string bucket, string key, byte[] data, string? customerKey)
    {
        var request = new GetObjectMetadataRequest { BucketName = bucket, Key = key };
        if (customerKey is not null)
        {
            request.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
            request.ServerSideEncryptionCustomerProvidedKey = customerKey;
        }

        GetObjectMetadataResponse head = await _observer.GetObjectMetadataAsync(request);
        Assert.Equal(data.Length, head.ContentLength);
        Assert.Equal(customerKey is null ? "" : "AES256", head.ServerSideEncryptionCustomerMethod?.Value ?? "");
        int parts = data.Length == LargeSize ? LargeParts : 1;
        if (parts > 1)
        {
            Assert.Matches($"^\"[0-9a-f]{{32}}-{parts}\"$", head.ETag);
        }
        else if (customerKey is null)
        {
            Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(data))}\"", head.ETag);
        }
        else
        {
            Assert.Matches("^\"[0-9a-f]{32}\"$", head.ETag);
        }
    }
}
