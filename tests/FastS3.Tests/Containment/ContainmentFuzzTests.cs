using System.Security.Cryptography;
using System.Text;
using CsCheck;
using FastS3.Api;
using FastS3.Auth;
using FastS3.Storage;
using FastS3.Storage.Disk;
using FastS3.Testing;

namespace FastS3.Tests.Containment;

/// <summary>
/// Fuzzing bucket names and Host headers with the oracle "no path outside buckets/ is ever opened,
/// created or deleted": names built from path pieces (dot segments, slashes raw and encoded,
/// absolute paths to the bait, internal directory names, letters that break the naming rules) go
/// signed into every operation, as the Host's bucket, the path's bucket or x-amz-copy-source's,
/// through the real application and store on a real DATA_DIR; each is also handed to the store
/// directly. inotify watches the bait after every request. The default run samples 10 000;
/// <c>FASTS3_CONTAINMENT_EXECUTIONS=1000000</c> is the long run.
/// </summary>
[Trait("Store", "Disk")]
public sealed class ContainmentFuzzTests
{
    private const int DefaultExecutions = 10_000;

    private static readonly (string Method, string After, string Body)[] Operations =
    [
        ("PUT", "", ""), ("HEAD", "", ""), ("GET", "", ""), ("GET", "?list-type=2", ""), ("GET", "?versions", ""), ("GET", "?uploads", ""),
        ("GET", "?location", ""), ("DELETE", "", ""), ("POST", "?delete", "<Delete><Object><Key>k</Key></Object></Delete>"),
        ("PUT", "/k", "hello"), ("GET", "/k", ""), ("HEAD", "/k", ""), ("DELETE", "/k", ""), ("POST", "/k?uploads", ""),
        ("PUT", "/k?partNumber=1&uploadId=x", "part"), ("GET", "/k?uploadId=x", ""), ("DELETE", "/k?uploadId=x", ""),
        ("POST", "/k?uploadId=x", "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>"),
    ];

    private enum Addressing
    {
        Host,
        Path,
        CopySource,
    }

    [Fact]
    public async Task NoBucketNameReachesAPathOutsideBuckets()
    {
        long executions = long.TryParse(Environment.GetEnvironmentVariable("FASTS3_CONTAINMENT_EXECUTIONS"), out long n) ? n : DefaultExecutions;
        using var sandbox = new PathSandbox();
        await using Store store = DiskStore.Open(sandbox.DataDir, new DiskStoreOptions(), SilentLog.Instance.Warning);
        Assert.True(store.TryCreateBucket("real"));
        var app = new S3Application(store, new AccessKeys(AwsCli.AccessKey, AwsCli.SecretKey), TimeProvider.System, SilentLog.Instance, new VirtualHost(["localhost"]));
        sandbox.Watch();

        string[] pieces =
        [
            "..", ".", "/", "\\", "%2e", "%2E", "%2f", "%2F", "%5c", "%00", "%", "canary", "decoy", "victim", "buckets", "vb", "data", "created",
            ".fasts3", "tmp", "format", "real", "a", "Z", "0", "1", "-", "_", "~", ":", "@", ";", "é", "xn--", "localhost", "192.168.0.1",
            sandbox.Root, sandbox.Canary, sandbox.Decoy, sandbox.DataDir, new string('a', 63),
        ];
        Gen<string> names = Gen.OneOf(pieces).Array[1, 7].Select(string.Concat);
        var cases = Gen.Select(names, Gen.Int[0, Operations.Length - 1], Gen.Enum<Addressing>());

        long done = 0;
        await cases.SampleAsync(async (name, operation, addressing) =>
        {
            CheckStore(store, name);
            await CheckRequestAsync(app, store, name, Operations[operation], addressing);
            IReadOnlyList<string> violations = sandbox.TakeViolations();
            Assert.True(violations.Count == 0, $"{addressing} '{name}' {Operations[operation]}: {string.Join(", ", violations)}");
            Interlocked.Increment(ref done);
        }, iter: executions, threads: 1);

        Assert.Equal(executions, done);
        Assert.Equal("do not touch", File.ReadAllText(Path.Combine(sandbox.Canary, "data", "00", "precious")));
    }

    /// <summary>The store on its own: an invalid name is never found, and creating it is refused before any file is made.</summary>
    private static void CheckStore(Store store, string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        if (BucketName.IsValid(bytes))
        {
            return;
        }

        Assert.Null(store.FindBucket(bytes));
        Assert.Throws<ArgumentException>(() => store.TryCreateBucket(name));
        Assert.DoesNotContain(store.ListBuckets(), bucket => bucket.Name == name);
    }

    private static async Task CheckRequestAsync(S3Application app, Store store, string name, (string Method, string After, string Body) operation, Addressing addressing)
    {
        (string method, string after, string body) = operation;
        string host = "localhost";
        string path = "/" + name + after;
        (string, string)[] headers = [];
        switch (addressing)
        {
            case Addressing.Host:
                host = name + ".localhost";
                path = after.StartsWith('/') ? after : "/" + after;
                break;
            case Addressing.CopySource:
                method = "PUT";
                path = after.Contains("uploadId", StringComparison.Ordinal) ? "/real/k?partNumber=1&uploadId=x" : "/real/k";
                headers = [("x-amz-copy-source", name + "/k")];
                body = "";
                break;
        }

        if (method == "POST" && after == "?delete")
        {
            headers = [("content-md5", Convert.ToBase64String(MD5.HashData(Encoding.ASCII.GetBytes(body))))];
        }

        byte[] request = [.. Encoding.UTF8.GetBytes(RawSigner.Head(method, path, host, body.Length, signed: headers)), .. Encoding.ASCII.GetBytes(body)];
        string response = await InMemoryConnection.RunAsync(app, request);
        int status = int.Parse(response.AsSpan(9, 3));
        // Never a crash; 501 is an honest answer (a Host that ends up naming no bucket can route to an unsupported operation).
        Assert.True(status is < 500 or 501, $"{addressing} '{name}': {method} {path}: {response}");
        // Valid names become buckets (by Host, or by path: "/tmp/" creates "tmp"): remove the empty
        // ones again, or a long run fills the disk with them. The few that got objects stay.
        foreach ((string bucket, _) in store.ListBuckets())
        {
            if (bucket != "real" && store.FindBucket(Encoding.ASCII.GetBytes(bucket)) is { } created)
            {
                await store.TryDeleteBucketAsync(created);
            }
        }

        // The bucket the copies read from and the Host-less requests use, should a DELETE have removed it.
        if (store.FindBucket("real"u8) is null)
        {
            Assert.True(store.TryCreateBucket("real"));
        }
    }
}
