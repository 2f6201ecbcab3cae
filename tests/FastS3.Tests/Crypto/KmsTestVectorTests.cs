using FastS3.Crypto;
using FastS3.Kms;

namespace FastS3.Tests.Crypto;

/// <summary>
/// The KMS envelope's test vectors, docs/encryption-format.md §13.5 (computed from the document by
/// an independent Python implementation): the key ring's serialized and sealed forms, the bucket
/// key, and an SSE-KMS object's KEK and sealed key with its binding.
/// </summary>
public class KmsTestVectorTests
{
    private static readonly byte[] Master = Sequence(0xa0, 32);
    private static readonly byte[] VersionKey = Sequence(0xc0, 32);
    private static readonly byte[] Iv = Sequence(0x20, 32);
    private static readonly byte[] Oek = Sequence(0x40, 32);
    private static readonly byte[] SealNonce = Sequence(0x60, 12);
    private static readonly DateTimeOffset Created = new(638000000000000000, TimeSpan.Zero);

    [Fact]
    public void KeyRing()
    {
        var key = new KmsKey(BuiltInKms.ServerKeyId, KeyManager.Server, Created, "SSE-S3", Enabled: true, RotationEnabled: false, [new KeyVersion(1, Created, VersionKey)]);
        var ring = new KeyRing([key], new Dictionary<string, string>());
        byte[] serialized = ring.Serialize();
        Assert.Equal(
            "0100010d6661737473332d7373652d7333020108daa19ea6b3000000065353452d533300010000000108daa1"
            + "9ea6b30000c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf0000",
            Convert.ToHexStringLower(serialized));

        byte[] header = Convert.FromHexString("4653334b010b746573742d6d6173746572");
        byte[] stored = [.. header, .. KeyRingCipher.Seal(Master, header, serialized, Sequence(0xe0, 12))];
        Assert.Equal(
            "4653334b010b746573742d6d6173746572e0e1e2e3e4e5e6e7e8e9eaeb"
            + "8731709c9a4e44beaa88aa0364c531e8e41d6a15e3e53000d91de81ef77f52ca92e8dafa67fc32a592c4ad7f012e67"
            + "010a70d8c9c4f6bd6fdd538a27616c059187c3e096fd0f35ff692b734235fa24dfb2190793a4ec6c0c2afc6265f764"
            + "bdd4e59696",
            Convert.ToHexStringLower(stored));

        byte[] opened = new byte[serialized.Length];
        Assert.True(KeyRingCipher.TryOpen(Master, header, stored.AsSpan(header.Length), opened));
        KmsKey parsed = Assert.Single(FastS3.Kms.KeyRing.Parse(opened).Keys);
        Assert.Equal(key.Id, parsed.Id);
        Assert.Equal(1, parsed.Current.Number);

        // Another master key name in the header does not open it.
        header[^1] ^= 1;
        Assert.False(KeyRingCipher.TryOpen(Master, header, stored.AsSpan(header.Length), opened));
    }

    [Fact]
    public void BucketKeyKekAndSealedKey()
    {
        byte[] bucketKey = new byte[32];
        BucketKey.Derive(VersionKey, "my-bucket"u8, bucketKey);
        Assert.Equal("fcbaddb2097b50885a93edcc02a8ed2fd8ead52ffec2649900403bbb8ad85d44", Convert.ToHexStringLower(bucketKey));

        byte[] binding = Convert.FromHexString("00000001" + "01" + "24" + "31323334616263642d313261622d333463642d353665662d313233343536373839306162" + "0009" + "7b2261223a2262227d");
        byte[] sealData = [.. KeyWrap.ServerSealLabel, 3, .. binding];
        var kek = new byte[32];
        ObjectKey.DeriveKek(KeyWrap.Server(bucketKey, sealData), Iv, "my-bucket"u8, "my-secret-diary"u8, kek);
        Assert.Equal("e625c719f8b1a9d0e292e6df4c5d43edeb12ba0aeb4f5e397cb391b4dc0a33ca", Convert.ToHexStringLower(kek));

        var sealedKey = new byte[ObjectKey.SealedSize];
        ObjectKey.Seal(KeyWrap.Server(bucketKey, sealData), "my-bucket"u8, "my-secret-diary"u8, Iv, Oek, SealNonce, sealedKey);
        Assert.Equal(
            "606162636465666768696a6b39f6cbd5875862c211610fc153511cb566391f72db955c8e71fa0256c252714d"
            + "61367dbb7fab03b404ee9bb8a9b7749d",
            Convert.ToHexStringLower(sealedKey));

        // A change to the binding (here: SSE-S3 instead of SSE-KMS) fails the unseal.
        var oek = new byte[32];
        Assert.True(ObjectKey.TryUnseal(KeyWrap.Server(bucketKey, sealData), "my-bucket"u8, "my-secret-diary"u8, Iv, sealedKey, oek));
        Assert.Equal(Oek, oek);
        sealData[KeyWrap.ServerSealLabel.Length] = 2;
        Assert.False(ObjectKey.TryUnseal(KeyWrap.Server(bucketKey, sealData), "my-bucket"u8, "my-secret-diary"u8, Iv, sealedKey, oek));
    }

    private static byte[] Sequence(int start, int length) => [.. Enumerable.Range(start, length).Select(i => (byte)i)];
}
