using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FastS3.Crypto;
using FastS3.Storage;
using FastS3.Storage.Disk.Index;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// A representative SSE-C workload over HTTPS for <see cref="KeyHygieneTests"/>, with a distinct
/// random key per role so a key found later names the path that kept it: boto3 for every SSE-C
/// operation and error (inline and file-backed PUT, full and ranged GET, HEAD, CopyObject with a
/// copy-source key and onto itself as a key rotation, multipart with UploadPartCopy, wrong key,
/// bad key MD5, wrong copy-source key), aws-cli for its aws-chunked uploads and multipart
/// <c>s3 cp</c>, a raw upload cut off mid-body (the exception path), and one connection left idle.
/// </summary>
internal static class KeyHygieneWorkload
{
    private const string Bucket = "vault";

    /// <summary>Key roles (see the script) and the key each gets.</summary>
    public static Dictionary<string, byte[]> NewKeys() => new[]
    {
        "inline", "file", "copy", "rotated", "multipart", "wrong", "bad-md5", "wrong-source",
        "cli", "cli-multipart", "aborted", "idle",
    }.ToDictionary(role => role, _ => RandomNumberGenerator.GetBytes(32));

    private const string Script = """
        import base64, hashlib, json, os, sys, warnings, boto3, botocore
        warnings.filterwarnings("ignore")
        url, access_key, secret_key, bucket = sys.argv[1:5]
        keys = {role: bytes.fromhex(key) for role, key in json.loads(sys.stdin.read()).items()}
        s3 = boto3.client("s3", endpoint_url=url, aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name="us-east-1",
                          verify=False, config=botocore.config.Config(retries={"max_attempts": 1}))
        def sse(role, prefix=""):
            return {prefix + "SSECustomerAlgorithm": "AES256", prefix + "SSECustomerKey": keys[role]}
        def fails(code, call, **args):
            try:
                call(**args)
            except botocore.exceptions.ClientError as e:
                assert e.response["Error"]["Code"] == code, (code, e.response["Error"])
                return
            raise AssertionError(f"expected {code}")

        small, large = os.urandom(1000), os.urandom(1_200_007)
        s3.put_object(Bucket=bucket, Key="inline", Body=small, **sse("inline"))
        s3.put_object(Bucket=bucket, Key="file", Body=large, **sse("file"))
        assert s3.get_object(Bucket=bucket, Key="inline", **sse("inline"))["Body"].read() == small
        assert s3.get_object(Bucket=bucket, Key="file", **sse("file"))["Body"].read() == large
        assert s3.get_object(Bucket=bucket, Key="file", Range="bytes=70000-200000", **sse("file"))["Body"].read() == large[70000:200001]
        assert s3.head_object(Bucket=bucket, Key="inline", **sse("inline"))["ContentLength"] == len(small)

        # Copy under a new key, then rotate the source's key in place.
        s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "file"}, **sse("file", "CopySource"), **sse("copy"))
        assert s3.get_object(Bucket=bucket, Key="copy", Range="bytes=-1000", **sse("copy"))["Body"].read() == large[-1000:]
        s3.copy_object(Bucket=bucket, Key="file", CopySource={"Bucket": bucket, "Key": "file"}, **sse("file", "CopySource"), **sse("rotated"))
        assert s3.get_object(Bucket=bucket, Key="file", **sse("rotated"))["Body"].read() == large

        # Multipart: one uploaded part, one copied from an SSE-C object.
        upload = s3.create_multipart_upload(Bucket=bucket, Key="multi", **sse("multipart"))["UploadId"]
        part1 = os.urandom(5 * 1024 * 1024)
        etag1 = s3.upload_part(Bucket=bucket, Key="multi", UploadId=upload, PartNumber=1, Body=part1, **sse("multipart"))["ETag"]
        etag2 = s3.upload_part_copy(Bucket=bucket, Key="multi", UploadId=upload, PartNumber=2, CopySource={"Bucket": bucket, "Key": "copy"},
                                    CopySourceRange="bytes=0-99999", **sse("copy", "CopySource"), **sse("multipart"))["CopyPartResult"]["ETag"]
        s3.complete_multipart_upload(Bucket=bucket, Key="multi", UploadId=upload,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag1}, {"PartNumber": 2, "ETag": etag2}]}, **sse("multipart"))
        want = part1 + large[:100000]
        assert s3.get_object(Bucket=bucket, Key="multi", Range=f"bytes={len(part1) - 10}-{len(part1) + 10}", **sse("multipart"))["Body"].read() == want[len(part1) - 10:len(part1) + 11]
        assert s3.head_object(Bucket=bucket, Key="multi", PartNumber=2, **sse("multipart"))["ContentLength"] == 100000

        # Errors: a wrong key, a key whose MD5 does not match, a wrong copy-source key.
        fails("AccessDenied", s3.get_object, Bucket=bucket, Key="inline", **sse("wrong"))
        fails("403", s3.head_object, Bucket=bucket, Key="file", **sse("wrong"))
        fails("InvalidArgument", s3.put_object, Bucket=bucket, Key="bad", Body=b"x", SSECustomerAlgorithm="AES256",
              SSECustomerKey=base64.b64encode(keys["bad-md5"]).decode(), SSECustomerKeyMD5=base64.b64encode(hashlib.md5(b"another key").digest()).decode())
        fails("AccessDenied", s3.copy_object, Bucket=bucket, Key="stolen", CopySource={"Bucket": bucket, "Key": "copy"}, **sse("wrong-source", "CopySource"), **sse("copy"))
        print("workload ok")
        """;

    public static async Task RunAsync(ServerProcess server, IReadOnlyDictionary<string, byte[]> keys, string work)
    {
        Uri url = server.BaseUrl;
        Assert.Equal(0, (await AwsCli.RunAsync(url, "s3api", "create-bucket", "--bucket", Bucket)).ExitCode);
        await AbortedUploadAsync(server, keys["aborted"]);
        await RunScriptAsync(url, keys);
        await AwsCliAsync(url, keys["cli"], keys["cli-multipart"], work);
    }

    /// <summary>
    /// What the server derived from the customer keys, read back from DATA_DIR once the server has
    /// stopped: each object's key (unsealed with the customer key that opens it now), the
    /// key-encryption keys, the subkeys and part keys. None of it may be in the server's memory either.
    /// </summary>
    public static async Task<List<Secret>> DerivedKeysAsync(string dataDir, IReadOnlyDictionary<string, byte[]> keys)
    {
        // Object name, the customer keys that sealed its object key (the last one opens it), whether it has parts.
        (string Name, string[] Roles, bool Multipart)[] objects =
        [
            ("inline", ["inline"], false), ("file", ["file", "rotated"], false), ("copy", ["copy"], false),
            ("multi", ["multipart"], true), ("cli", ["cli"], false), ("cli-large", ["cli-multipart"], true),
        ];
        var derived = new List<Secret>();
        byte[] bucket = Encoding.ASCII.GetBytes(Bucket);
        await using var index = OrderedIndex.Open(Path.Combine(dataDir, "buckets", Bucket, "index"));
        foreach ((string name, string[] roles, bool multipart) in objects)
        {
            byte[] objectName = Encoding.UTF8.GetBytes(name);
            Assert.True(index.TryGet(objectName, out byte[]? value), name);
            Assert.True(ObjectRecord.TryRead(value, out ObjectRecord record), name);
            ReadOnlySpan<byte> field = record.Field(RecordField.Encryption);
            ReadOnlySpan<byte> iv = field.Slice(1, ObjectKey.IvSize);
            byte[] oek = new byte[32];
            Assert.True(ObjectKey.TryUnseal(keys[roles[^1]], bucket, objectName, iv, field[(1 + iv.Length)..], oek), name);
            derived.Add(new Secret($"{name} object key", oek));
            foreach (string role in roles)
            {
                byte[] kek = new byte[32];
                ObjectKey.DeriveKek(keys[role], iv, bucket, objectName, kek);
                derived.Add(new Secret($"{name} key-encryption key under {role}", kek));
            }

            foreach (Subkey purpose in Enum.GetValues<Subkey>())
            {
                byte[] subkey = new byte[32];
                ObjectKey.DeriveSubkey(oek, purpose, subkey);
                derived.Add(new Secret($"{name} {purpose} subkey", subkey));
            }

            for (int part = 1; multipart && part <= 2; part++)
            {
                byte[] partKey = new byte[32];
                ObjectKey.DerivePartKey(oek, part, partKey);
                derived.Add(new Secret($"{name} part {part} key", partKey));
                byte[] dataKey = new byte[32];
                ObjectKey.DeriveSubkey(partKey, Subkey.Data, dataKey);
                derived.Add(new Secret($"{name} part {part} data subkey", dataKey));
            }
        }

        return derived;
    }

    /// <summary>
    /// A GET with its own key on a connection left open: the state of an idle keep-alive connection.
    /// Its head is sent in one write, so that it is one TLS record. Dispose after the dump.
    /// </summary>
    public static async Task<OpenConnection> IdleConnectionAsync(ServerProcess server, string role, byte[] key)
    {
        RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: true);
        byte[] head = Encoding.Latin1.GetBytes(await SignedHeadAsync(server, "GET", $"/{Bucket}/inline", 0, key));
        await client.SendAsync(head);
        Assert.Equal(403, (await client.ReadResponseAsync()).Status);
        return new OpenConnection(role, client, Secret.OfCustomerKey(role, key), head);
    }

    private static async Task RunScriptAsync(Uri url, IReadOnlyDictionary<string, byte[]> keys)
    {
        var start = new System.Diagnostics.ProcessStartInfo("python3", ["-c", Script, url.ToString().TrimEnd('/'), AwsCli.AccessKey, AwsCli.SecretKey, Bucket])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using System.Diagnostics.Process python = System.Diagnostics.Process.Start(start)!;
        Task<string> stdout = python.StandardOutput.ReadToEndAsync();
        Task<string> stderr = python.StandardError.ReadToEndAsync();
        await python.StandardInput.WriteAsync(JsonSerializer.Serialize(keys.ToDictionary(k => k.Key, k => Convert.ToHexStringLower(k.Value))));
        python.StandardInput.Close();
        await python.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(python.ExitCode == 0 && (await stdout).Contains("workload ok"), await stderr);
    }

    /// <summary>aws-cli at its defaults: aws-chunked put-object with a trailing checksum, get-object, and a multipart s3 cp both ways.</summary>
    private static async Task AwsCliAsync(Uri url, byte[] key, byte[] multipartKey, string work)
    {
        string[] flags = ["--sse-customer-algorithm", "AES256", "--sse-customer-key", Convert.ToBase64String(key), "--sse-customer-key-md5", Convert.ToBase64String(MD5.HashData(key))];
        string body = Path.Combine(work, "cli-body");
        await File.WriteAllBytesAsync(body, RandomNumberGenerator.GetBytes(100_000));
        await Aws(url, ["s3api", "put-object", "--bucket", Bucket, "--key", "cli", "--body", body, .. flags]);
        await Aws(url, ["s3api", "get-object", "--bucket", Bucket, "--key", "cli", .. flags, body + ".back"]);
        Assert.Equal(await File.ReadAllBytesAsync(body), await File.ReadAllBytesAsync(body + ".back"));

        // s3 cp takes the raw key, from a file here: random bytes are no command-line text.
        string keyFile = Path.Combine(work, "cli-key");
        await File.WriteAllBytesAsync(keyFile, multipartKey);
        string large = Path.Combine(work, "cli-large");
        await File.WriteAllBytesAsync(large, RandomNumberGenerator.GetBytes(9 * 1024 * 1024 + 5));
        string[] cpFlags = ["--sse-c", "AES256", "--sse-c-key", "fileb://" + keyFile];
        await Aws(url, ["s3", "cp", large, $"s3://{Bucket}/cli-large", .. cpFlags]);
        await Aws(url, ["s3", "cp", $"s3://{Bucket}/cli-large", large + ".back", .. cpFlags]);
        Assert.Equal(await File.ReadAllBytesAsync(large), await File.ReadAllBytesAsync(large + ".back"));
    }

    /// <summary>A signed SSE-C PUT whose client goes away a tenth of the way through its body.</summary>
    private static async Task AbortedUploadAsync(ServerProcess server, byte[] key)
    {
        const int Length = 1024 * 1024;
        using RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: true);
        await client.SendAsync(await SignedHeadAsync(server, "PUT", $"/{Bucket}/aborted", Length, key));
        await client.SendAsync(RandomNumberGenerator.GetBytes(Length / 10));
    }

    private static async Task<string> SignedHeadAsync(ServerProcess server, string method, string path, int contentLength, byte[] key)
    {
        string[] triple =
        [
            "x-amz-server-side-encryption-customer-algorithm:AES256",
            $"x-amz-server-side-encryption-customer-key:{Convert.ToBase64String(key)}",
            $"x-amz-server-side-encryption-customer-key-MD5:{Convert.ToBase64String(MD5.HashData(key))}",
        ];
        string signed = await PersistentSigner.SignAsync(method, new Uri(server.BaseUrl, path), null, triple);
        return $"{method} {path} HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: {contentLength}\r\n{signed}\r\n";
    }

    private static async Task Aws(Uri url, params string[] arguments)
    {
        var (exit, _, stderr) = await AwsCli.RunAsync(url, arguments);
        Assert.True(exit == 0, $"aws {string.Join(' ', arguments.Where(a => !a.StartsWith("--sse")))} failed ({exit}):\n{stderr}");
    }
}

/// <summary>A connection kept open through the dump: the keys it sent, and its last request exactly as sent, one TLS record.</summary>
internal sealed record OpenConnection(string Role, RawClient Client, Secret[] Secrets, byte[] LastRecord) : IDisposable
{
    public void Dispose() => Client.Dispose();
}
