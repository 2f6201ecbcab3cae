using System.Security.Cryptography;
using System.Text;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Tests.Crypto;

/// <summary>
/// The test vectors of docs/encryption-format.md §11 and §12.5, asserted here so the document and the code
/// cannot drift (they were also checked against an independent implementation written from the document).
/// </summary>
public class TestVectorTests
{
    // Fixed inputs; production draws the IV, OEK, nonces, nonce prefix and ETag seed at random.
    private static readonly byte[] ClientKey = Sequence(0x00, 32);
    private static readonly byte[] Iv = Sequence(0x20, 32);
    private static readonly byte[] Oek = Sequence(0x40, 32);
    private static readonly byte[] SealNonce = Sequence(0x60, 12);
    private static readonly byte[] NoncePrefix = Sequence(0x70, 8);
    private static readonly byte[] MetadataNonce = Sequence(0x80, 12);
    private static readonly byte[] ETagSeed = Sequence(0x90, 16);

    private static ReadOnlySpan<byte> Bucket => "my-bucket"u8;

    private static ReadOnlySpan<byte> Key => "my-secret-diary"u8;

    [Fact]
    public void KeyEncryptionKeyAndSealedKey()
    {
        var kek = new byte[32];
        ObjectKey.DeriveKek(ClientKey, Iv, Bucket, Key, kek);
        Assert.Equal("17cb8785750b47dd42ab965e793e651e3c93516cd09897d955741b41a5851df8", Hex(kek));

        var sealedKey = new byte[ObjectKey.SealedSize];
        ObjectKey.Seal(KeyWrap.Customer(ClientKey), Bucket, Key, Iv, Oek, SealNonce, sealedKey);
        Assert.Equal(
            "606162636465666768696a6b"
            + "f6c792b884b83d45826098aa4147aaa6433d3ec8a47221e9f76fce662e78b943"
            + "287b4e2f7fa91287e59862b8e39826b6",
            Hex(sealedKey));

        var oek = new byte[32];
        Assert.True(ObjectKey.TryUnseal(ClientKey, Bucket, Key, Iv, sealedKey, oek));
        Assert.Equal(Oek, oek);
    }

    [Fact]
    public void Subkeys()
    {
        Assert.Equal("bc7303bb671eaa40378aab2271f616cbb51e6bb6f59fdf788f1a710c5e3bb8c3", Subkey(FastS3.Crypto.Subkey.Data));
        Assert.Equal("f0413887460cd72bd1ca0c1ac28ae1445634757502b0c0f20e361e1c33856e39", Subkey(FastS3.Crypto.Subkey.Metadata));
        Assert.Equal("03eb01df7d13539a5e487220cd3f3d3bf96e6db2bd0fa30a89eb3324892ba39c", Subkey(FastS3.Crypto.Subkey.ETag));
        Assert.Equal("b0f9ccf20699d0e750ef360e04f317181c601fa025df276ac1bc22ed0f5fc814", Subkey(FastS3.Crypto.Subkey.PartTable));
    }

    [Theory]
    [InlineData(1, "c75cb66891096420bdc26daa75608aca51df70841f388bd687811752c6b2f451")]
    [InlineData(2, "0fe172aa1979b8138147a6cf3556b79104e5dd1d9268857f88877209da7a4ed4")]
    [InlineData(10000, "3f98f1602c92211d020f0f8bbb8e4b4d1e03e169ace9f27b5491ac35b3739b97")]
    public void PartKeys(int partNumber, string expected)
    {
        var key = new byte[32];
        ObjectKey.DerivePartKey(Oek, partNumber, key);
        Assert.Equal(expected, Hex(key));
    }

    /// <summary>§12.5: the part table of a two-part SSE-C object, byte for byte.</summary>
    [Fact]
    public void PartTable()
    {
        PartEntry[] parts =
        [
            new(1, new Guid(Sequence(0xb0, 16)), 5_242_880, SegmentFormat.StoredSize(5_242_880)),
            new(2, new Guid(Sequence(0xc0, 16)), 1, SegmentFormat.StoredSize(1)),
        ];
        byte[] table = FastS3.Storage.PartTable.Build(Sequence(0xa0, 16), parts, (bytes, mac) => ObjectKey.MacPartTable(Oek, bytes, mac));
        Assert.Equal(
            "465333500101000002000000a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
            + "01000000b0b1b2b3b4b5b6b7b8b9babbbcbdbebf00005000000000001005500000000000"
            + "02000000c0c1c2c3c4c5c6c7c8c9cacbcccdcecf01000000000000002100000000000000"
            + "41168cd72917546f835804f4741c8ec802a6a0ecdd7ce5e0fba58889f78c1fc5"
            + "0f3946ef",
            Hex(table));
    }

    /// <summary>§12.5: the same table as completed without the key, with a MAC per part instead of one over the table.</summary>
    [Fact]
    public void PartTableWithPartMacs()
    {
        byte[] uploadId = Sequence(0xa0, 16);
        PartEntry[] parts =
        [
            new(1, new Guid(Sequence(0xb0, 16)), 5_242_880, SegmentFormat.StoredSize(5_242_880)),
            new(2, new Guid(Sequence(0xc0, 16)), 1, SegmentFormat.StoredSize(1)),
        ];
        byte[] macs = new byte[parts.Length * 32];
        byte[] input = new byte[FastS3.Storage.PartTable.PartMacInputSize];
        for (int i = 0; i < parts.Length; i++)
        {
            FastS3.Storage.PartTable.WritePartMacInput(uploadId, parts[i], input);
            ObjectKey.MacPart(Oek, input, macs.AsSpan(i * 32, 32));
        }

        Assert.Equal(
            "465333500102000002000000a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
            + "01000000b0b1b2b3b4b5b6b7b8b9babbbcbdbebf00005000000000001005500000000000"
            + "02000000c0c1c2c3c4c5c6c7c8c9cacbcccdcecf01000000000000002100000000000000"
            + "8688ba9bf830446e401aab4566c5b5ad3b98878b30891b725373870d5c4f592e"
            + "2c00a9ded2393c1f70cb01c18dc3c4f5154840cfaae21030c63111af07f1be78"
            + "de46b816",
            Hex(FastS3.Storage.PartTable.Build(uploadId, parts, partMacs: macs)));
    }

    [Fact]
    public void EmptyObject()
    {
        byte[] stored = Encrypt([]);
        Assert.Equal(
            "46533345010110007071727374757677"      // header
            + "3753d1839719f50342a8edff29a74676",   // segment 0 (final): tag only
            Hex(stored));
        Assert.Empty(CryptoTestData.TryDecrypt(Oek, stored)!);
    }

    [Fact]
    public void FiveByteObject()
    {
        byte[] stored = Encrypt("hello"u8.ToArray());
        Assert.Equal(
            "46533345010110007071727374757677"
            + "74a704143b"                          // ciphertext of "hello"
            + "b6e45491acab63bed6c85859f0a7fb07",   // tag
            Hex(stored));
        Assert.Equal("hello"u8.ToArray(), CryptoTestData.TryDecrypt(Oek, stored));
    }

    [Fact]
    public void ObjectOfOneSegmentAndOneByte()
    {
        byte[] plaintext = [.. Enumerable.Range(0, 65537).Select(i => (byte)(i % 251))];
        byte[] stored = Encrypt(plaintext);
        Assert.Equal(65585, stored.Length);
        Assert.Equal("44bf708638ef56e23c875d30bdefb6f3f81636929acaeb3b39b2bfe693a054bd", Hex(SHA256.HashData(stored)));
        Assert.Equal("46533345010110007071727374757677", Hex(stored[..16]));
        Assert.Equal("c45c1b4c5260828bd44d237995bbf48f", Hex(stored[16..32]));
        Assert.Equal("ecda8b281eccb34f0142c70cdc3c6144", Hex(stored[65552..65568]));
        Assert.Equal("3fbf759ab205513399894c0b1ed8819d22", Hex(stored[65568..]));
        Assert.Equal(plaintext, CryptoTestData.TryDecrypt(Oek, stored));
    }

    [Fact]
    public void MetadataBlob()
    {
        byte[] metadata = "content-type: text/plain\n"u8.ToArray();
        var blob = new byte[MetadataCipher.SealedLength(metadata.Length)];
        MetadataCipher.Seal(Oek, metadata, MetadataNonce, blob);
        Assert.Equal(
            "01" + "808182838485868788898a8b"
            + "4502e11818e7bd8f942414d12c65ddd37f56795d235cd9730a"
            + "eeeaeea96c765f1fb69411f0709581ea",
            Hex(blob));
    }

    [Fact]
    public void ETag()
    {
        var etag = new byte[EncryptedETag.HexLength];
        EncryptedETag.Create(Oek, ETagSeed, etag);
        Assert.Equal("1948b4f2eb398d775929be120b0d48b9", Encoding.ASCII.GetString(etag));
    }

    private static byte[] Encrypt(byte[] plaintext)
    {
        using var encryptor = new SegmentEncryptor(Oek, NoncePrefix);
        return CryptoTestData.Encrypt(encryptor, plaintext);
    }

    private static string Subkey(Subkey purpose)
    {
        var key = new byte[32];
        ObjectKey.DeriveSubkey(Oek, purpose, key);
        return Hex(key);
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static byte[] Sequence(int start, int length) => [.. Enumerable.Range(start, length).Select(i => (byte)i)];
}
