using System.Security.Cryptography;
using System.Text;
using FastS3.Crypto;
using FastS3.Kms;
using FastS3.Storage;
using FastS3.Storage.Disk.Index;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests.ServerSide;

/// <summary>
/// The on-disk proof for SSE-S3 and SSE-KMS: after writes of every shape (inline, file-backed,
/// multipart, copied, with content headers and user metadata), no file under DATA_DIR holds the
/// plaintext, the metadata, the master key, a KMS key version, a bucket key, an object key or any
/// key derived from one, in any encoding (<see cref="SecretEncodings"/>). The keys to look for are
/// recovered as an attacker holding the master key would: the key ring opened, then each object's
/// key unsealed from its record. The scan itself is shown to work on the sealed ring it reads.
/// </summary>
[Trait("Store", "Disk")]
public sealed class ServerKeyHygieneTests
{
    private const string Bucket = "vault";
    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes("quarterly numbers nobody may read: 4242-SECRET-PLAINTEXT-4242");
    private const string MetadataValue = "meta-secret-7f3a9c";

    [Fact]
    public async Task NoPlaintextMetadataOrKeyReachesDataDir()
    {
        InProcessServer server = await InProcessServer.StartAsync(onDisk: true);
        string dataDir = server.DataDir;
        string masterKey = File.ReadAllText(server.KmsKeyFile);
        server.KeepDataDir = true;
        byte[] large = [.. Enumerable.Repeat(Plaintext, (300 * 1024 / Plaintext.Length) + 1).SelectMany(bytes => bytes)];
        byte[] part = [.. Enumerable.Repeat(Plaintext, (5 * 1024 * 1024 / Plaintext.Length) + 1).SelectMany(bytes => bytes)];
        string[] s3 = ["x-amz-server-side-encryption:AES256", $"x-amz-meta-note:{MetadataValue}", "Content-Type:text/x-secret-type"];
        string[] kms = ["x-amz-server-side-encryption:aws:kms", $"x-amz-meta-note:{MetadataValue}", "Content-Type:text/x-secret-type"];
        try
        {
            await RawMultipart.CreateBucketAsync(server, Bucket);
            await RawMultipart.PutObjectAsync(server, Bucket, "s3-inline", Plaintext, s3);
            await RawMultipart.PutObjectAsync(server, Bucket, "kms-inline", Plaintext, kms);
            await RawMultipart.PutObjectAsync(server, Bucket, "s3-file", large, s3);
            await RawMultipart.PutObjectAsync(server, Bucket, "kms-file", large, kms);
            Assert.Equal(200, (await SignedRequests.SendAsync(server, "PUT", $"/{Bucket}/copied", [], $"x-amz-copy-source:{Bucket}/s3-file", "x-amz-server-side-encryption:aws:kms")).Status);
            foreach ((string name, string[] headers) in new[] { ("s3-multipart", s3), ("kms-multipart", kms) })
            {
                string upload = await RawMultipart.CreateAsync(server, Bucket, name, headers);
                string first = await RawMultipart.UploadPartAsync(server, Bucket, name, upload, 1, part);
                string second = await RawMultipart.UploadPartAsync(server, Bucket, name, upload, 2, Plaintext);
                Assert.Equal(200, (await RawMultipart.CompleteAsync(server, Bucket, name, upload, [new(1, first), new(2, second)])).Status);
            }

            Assert.Equal(large, (await RawMultipart.GetAsync(server, Bucket, "copied")).Body);
        }
        finally
        {
            await server.DisposeAsync();
        }

        try
        {
            List<Secret> secrets = await RecoverKeysAsync(dataDir, masterKey);
            secrets.Add(new Secret("plaintext", Plaintext));
            secrets.Add(new Secret("user metadata", Encoding.ASCII.GetBytes(MetadataValue)));
            secrets.Add(new Secret("content type", "text/x-secret-type"u8.ToArray()));
            List<SecretHit> hits = SecretScanner.ScanDirectory(dataDir, secrets);
            Assert.True(hits.Count == 0, "found in DATA_DIR:\n" + string.Join("\n", hits.Take(20)));

            // The scanner finds what is there: the sealed key ring, in the encodings it tries.
            byte[] ring = File.ReadAllBytes(Path.Combine(dataDir, ".fasts3", "state", BuiltInKms.StateItem));
            Assert.NotEmpty(SecretScanner.ScanDirectory(dataDir, [new Secret("sealed key ring", ring[^40..])]));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
            File.Delete(dataDir + ".kms-master.key");
        }
    }

    /// <summary>The master key, every key version, the bucket's keys, and each object's key and subkeys.</summary>
    private static async Task<List<Secret>> RecoverKeysAsync(string dataDir, string masterKey)
    {
        using MasterKey master = MasterKey.Parse(masterKey);
        var secrets = new List<Secret> { new("master key", master.Span.ToArray()) };
        byte[] stored = File.ReadAllBytes(Path.Combine(dataDir, ".fasts3", "state", BuiltInKms.StateItem));
        int headerLength = 6 + stored[5];
        byte[] serialized = new byte[stored.Length - headerLength - KeyRingCipher.Overhead];
        Assert.True(KeyRingCipher.TryOpen(master.Span, stored.AsSpan(0, headerLength), stored.AsSpan(headerLength), serialized));
        KeyRing ring = KeyRing.Parse(serialized);
        Assert.Equal(2, ring.Keys.Count); // the SSE-S3 key and alias/aws/s3's
        byte[] bucket = Encoding.ASCII.GetBytes(Bucket);
        foreach (KmsKey key in ring.Keys)
        {
            foreach (KeyVersion version in key.Versions)
            {
                secrets.Add(new Secret($"{key.Id} v{version.Number}", version.Material.ToArray()));
                secrets.Add(new Secret($"{key.Id} v{version.Number} bucket key", version.BucketKeyFor(bucket).ToArray()));
            }
        }

        await using var index = OrderedIndex.Open(Path.Combine(dataDir, "buckets", Bucket, "index"));
        foreach (string name in new[] { "s3-inline", "kms-inline", "s3-file", "kms-file", "copied", "s3-multipart", "kms-multipart" })
        {
            Assert.True(index.TryGet(Encoding.UTF8.GetBytes(name), out byte[]? value), name);
            Assert.True(ObjectRecord.TryRead(value, out ObjectRecord record), name);
            byte[] field = record.Field(RecordField.Encryption).ToArray();
            Assert.Contains(field[0], new byte[] { 2, 3 });
            byte[] oek = Unseal(ring, bucket, Encoding.UTF8.GetBytes(name), field);
            secrets.Add(new Secret($"{name} object key", oek));
            foreach (Subkey purpose in Enum.GetValues<Subkey>())
            {
                byte[] subkey = new byte[32];
                ObjectKey.DeriveSubkey(oek, purpose, subkey);
                secrets.Add(new Secret($"{name} {purpose} subkey", subkey));
            }

            for (int partNumber = 1; record.Has(RecordFlags.Multipart) && partNumber <= 2; partNumber++)
            {
                byte[] partKey = new byte[32];
                ObjectKey.DerivePartKey(oek, partNumber, partKey);
                secrets.Add(new Secret($"{name} part {partNumber} key", partKey));
            }
        }

        return secrets;
    }

    /// <summary>Unseals as docs/encryption-format.md §13.4 says, from the document's layout alone.</summary>
    private static byte[] Unseal(KeyRing ring, byte[] bucket, byte[] name, byte[] field)
    {
        const int bindingStart = 1 + ObjectKey.IvSize + ObjectKey.SealedSize;
        int version = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(field.AsSpan(bindingStart));
        string keyId = Encoding.ASCII.GetString(field, bindingStart + 6, field[bindingStart + 5]);
        KeyVersion keyVersion = ring.Find(keyId)!.Version(version)!;
        byte[] sealData = [.. KeyWrap.ServerSealLabel, field[0], .. field.AsSpan(bindingStart)];
        byte[] oek = new byte[32];
        Assert.True(ObjectKey.TryUnseal(KeyWrap.Server(keyVersion.BucketKeyFor(bucket), sealData), bucket, name, field.AsSpan(1, ObjectKey.IvSize), field.AsSpan(1 + ObjectKey.IvSize, ObjectKey.SealedSize), oek));
        return oek;
    }
}
