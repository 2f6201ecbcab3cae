using System.Security.Cryptography;
using System.Text;
using FastS3.Crypto;

namespace FastS3.Tests.Crypto;

/// <summary>Sealing the object key to a client key and a path; metadata sealing; ETags; the key MD5 check.</summary>
public class ObjectKeyTests
{
    private static readonly byte[] ClientKeyA = CryptoTestData.RandomBytes(32, 100);
    private static readonly byte[] ClientKeyB = CryptoTestData.RandomBytes(32, 101);

    [Fact]
    public void CreateThenUnsealGivesTheSameObjectKey()
    {
        var (oek, iv, sealedKey) = Create(ClientKeyA, "my-bucket", "my-secret-diary");
        var opened = new byte[ObjectKey.Size];
        Assert.True(ObjectKey.TryUnseal(ClientKeyA, "my-bucket"u8, "my-secret-diary"u8, iv, sealedKey, opened));
        Assert.Equal(oek, opened);
        Assert.Equal(ObjectKey.SealedSize, sealedKey.Length);
        Assert.Equal(60, ObjectKey.SealedSize);

        // Nothing stored reveals the OEK or the client key.
        Assert.True(sealedKey.AsSpan().IndexOf(oek.AsSpan(0, 8)) < 0);
        Assert.True(sealedKey.AsSpan().IndexOf(ClientKeyA.AsSpan(0, 8)) < 0);
    }

    [Fact]
    public void FreshKeysEveryTime()
    {
        var first = Create(ClientKeyA, "b", "k");
        var second = Create(ClientKeyA, "b", "k");
        Assert.NotEqual(first.Oek, second.Oek);
        Assert.NotEqual(first.Iv, second.Iv);
        Assert.NotEqual(first.Sealed, second.Sealed);
    }

    [Fact]
    public void WrongClientKeyFails()
    {
        var (_, iv, sealedKey) = Create(ClientKeyA, "my-bucket", "my-secret-diary");
        byte[] opened = [.. Enumerable.Repeat((byte)0xAA, 32)];
        Assert.False(ObjectKey.TryUnseal(ClientKeyB, "my-bucket"u8, "my-secret-diary"u8, iv, sealedKey, opened));
        Assert.All(opened, b => Assert.Equal(0, b));

        // One bit off.
        byte[] near = (byte[])ClientKeyA.Clone();
        near[31] ^= 1;
        Assert.False(ObjectKey.TryUnseal(near, "my-bucket"u8, "my-secret-diary"u8, iv, sealedKey, opened));
    }

    [Theory]
    [InlineData("my-bucket", "my-secret-diary2")]
    [InlineData("my-bucket", "my-secret-diar")]
    [InlineData("my-bucket", "")]
    [InlineData("other-bucket", "my-secret-diary")]
    [InlineData("my-bucke", "tmy-secret-diary")]
    [InlineData("my-bucket", "/my-secret-diary")]
    [InlineData("my-bucket/my-secret-diary", "")]
    public void SealedKeyCopiedToAnotherObjectFails(string bucket, string key)
    {
        var (_, iv, sealedKey) = Create(ClientKeyA, "my-bucket", "my-secret-diary");
        var opened = new byte[32];
        Assert.False(ObjectKey.TryUnseal(ClientKeyA, Encoding.UTF8.GetBytes(bucket), Encoding.UTF8.GetBytes(key), iv, sealedKey, opened));
    }

    [Fact]
    public void DamagedSealOrIvFails()
    {
        var (_, iv, sealedKey) = Create(ClientKeyA, "b", "k");
        var opened = new byte[32];
        for (int bit = 0; bit < sealedKey.Length * 8; bit++)
        {
            sealedKey[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(ObjectKey.TryUnseal(ClientKeyA, "b"u8, "k"u8, iv, sealedKey, opened));
            sealedKey[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        iv[0] ^= 1;
        Assert.False(ObjectKey.TryUnseal(ClientKeyA, "b"u8, "k"u8, iv, sealedKey, opened));
        iv[0] ^= 1;
        Assert.False(ObjectKey.TryUnseal(ClientKeyA, "b"u8, "k"u8, iv, sealedKey[..59], opened));
        Assert.False(ObjectKey.TryUnseal(ClientKeyA, "b"u8, "k"u8, iv[..31], sealedKey, opened));
        Assert.True(ObjectKey.TryUnseal(ClientKeyA, "b"u8, "k"u8, iv, sealedKey, opened));
    }

    [Fact]
    public void BadKeyLengthsAndBucketsThrow()
    {
        var oek = new byte[32];
        var iv = new byte[32];
        var sealedKey = new byte[60];
        Assert.Throws<ArgumentException>(() => ObjectKey.Create(new byte[16], "b"u8, "k"u8, oek, iv, sealedKey));
        Assert.Throws<ArgumentException>(() => ObjectKey.Create(ClientKeyA, "b\0x"u8, "k"u8, oek, iv, sealedKey));
        Assert.Throws<ArgumentException>(() => ObjectKey.Create(ClientKeyA, "b"u8, "k"u8, oek, iv, new byte[59]));
        Assert.Throws<ArgumentException>(() => ObjectKey.TryUnseal(new byte[31], "b"u8, "k"u8, iv, sealedKey, oek));
    }

    [Fact]
    public void ResealRotatesTheClientKeyAndKeepsTheObjectKey()
    {
        var (oek, iv, sealedKey) = Create(ClientKeyA, "b", "k");
        var resealed = new byte[ObjectKey.SealedSize];
        Assert.False(ObjectKey.TryReseal(KeyWrap.Customer(ClientKeyB), KeyWrap.Customer(ClientKeyA), "b"u8, "k"u8, iv, sealedKey, resealed));
        Assert.True(ObjectKey.TryReseal(KeyWrap.Customer(ClientKeyA), KeyWrap.Customer(ClientKeyB), "b"u8, "k"u8, iv, sealedKey, resealed));

        var opened = new byte[32];
        Assert.False(ObjectKey.TryUnseal(ClientKeyA, "b"u8, "k"u8, iv, resealed, opened));
        Assert.True(ObjectKey.TryUnseal(ClientKeyB, "b"u8, "k"u8, iv, resealed, opened));
        Assert.Equal(oek, opened);

        // Rotating to the same key gives a different (fresh-nonce) seal of the same OEK.
        Assert.True(ObjectKey.TryReseal(KeyWrap.Customer(ClientKeyB), KeyWrap.Customer(ClientKeyB), "b"u8, "k"u8, iv, resealed, sealedKey));
        Assert.NotEqual(resealed, sealedKey);
        Assert.True(ObjectKey.TryUnseal(ClientKeyB, "b"u8, "k"u8, iv, sealedKey, opened));
        Assert.Equal(oek, opened);
    }

    [Fact]
    public void LongObjectKeysWork()
    {
        string key = new('k', 5000);
        var (oek, iv, sealedKey) = Create(ClientKeyA, "b", key);
        var opened = new byte[32];
        Assert.True(ObjectKey.TryUnseal(ClientKeyA, "b"u8, Encoding.UTF8.GetBytes(key), iv, sealedKey, opened));
        Assert.Equal(oek, opened);
        Assert.False(ObjectKey.TryUnseal(ClientKeyA, "b"u8, Encoding.UTF8.GetBytes(key + "k"), iv, sealedKey, opened));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(300)]
    [InlineData(70_000)]
    public void MetadataRoundTrips(int size)
    {
        byte[] oek = CryptoTestData.NewObjectKey(1);
        byte[] metadata = CryptoTestData.RandomBytes(size, 2);
        var sealedBlob = new byte[MetadataCipher.SealedLength(size)];
        Assert.Equal(sealedBlob.Length, MetadataCipher.Seal(oek, metadata, sealedBlob));
        Assert.Equal(size + 29, sealedBlob.Length);

        var opened = new byte[size];
        Assert.True(MetadataCipher.TryOpen(oek, sealedBlob, opened, out int written));
        Assert.Equal(size, written);
        Assert.Equal(metadata, opened);
    }

    [Fact]
    public void MetadataTamperFails()
    {
        byte[] oek = CryptoTestData.NewObjectKey(1);
        byte[] metadata = "content-type: text/plain\nx-amz-meta-secret: 42"u8.ToArray();
        var sealedBlob = new byte[MetadataCipher.SealedLength(metadata.Length)];
        MetadataCipher.Seal(oek, metadata, sealedBlob);
        var opened = new byte[metadata.Length];
        for (int bit = 0; bit < sealedBlob.Length * 8; bit++)
        {
            sealedBlob[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(MetadataCipher.TryOpen(oek, sealedBlob, opened, out _));
            sealedBlob[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        Assert.False(MetadataCipher.TryOpen(oek, sealedBlob[..^1], opened, out _));
        Assert.False(MetadataCipher.TryOpen(oek, sealedBlob[..28], opened, out _));
        Assert.False(MetadataCipher.TryOpen(CryptoTestData.NewObjectKey(2), sealedBlob, opened, out _));
        Assert.True(MetadataCipher.TryOpen(oek, sealedBlob, opened, out _));
    }

    [Fact]
    public void ETagIsRandomHexAndNotTheMd5()
    {
        byte[] oek = CryptoTestData.NewObjectKey(1);
        var seen = new HashSet<string>();
        for (int i = 0; i < 100; i++)
        {
            var etag = new byte[EncryptedETag.HexLength];
            Assert.Equal(32, EncryptedETag.Create(oek, etag));
            string text = Encoding.ASCII.GetString(etag);
            Assert.Matches("^[0-9a-f]{32}$", text);
            Assert.True(seen.Add(text));
            Assert.NotEqual(Convert.ToHexStringLower(MD5.HashData(ReadOnlySpan<byte>.Empty)), text);
        }
    }

    [Fact]
    public void ClientKeyMd5Check()
    {
        byte[] md5 = MD5.HashData(ClientKeyA);
        Assert.True(ClientKey.MatchesMd5(ClientKeyA, md5));
        Assert.False(ClientKey.MatchesMd5(ClientKeyB, md5));
        Assert.False(ClientKey.MatchesMd5(ClientKeyA, md5[..15]));
    }

    private static (byte[] Oek, byte[] Iv, byte[] Sealed) Create(byte[] clientKey, string bucket, string key)
    {
        var oek = new byte[ObjectKey.Size];
        var iv = new byte[ObjectKey.IvSize];
        var sealedKey = new byte[ObjectKey.SealedSize];
        ObjectKey.Create(clientKey, Encoding.UTF8.GetBytes(bucket), Encoding.UTF8.GetBytes(key), oek, iv, sealedKey);
        return (oek, iv, sealedKey);
    }
}
