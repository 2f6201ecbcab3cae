using FastS3.Crypto;
using FastS3.Kms;

namespace FastS3.Tests.Crypto;

/// <summary>
/// The KMS envelope's test vectors, docs/encryption-format.md §13.5 (computed from the document by
/// an independent Python implementation): the key ring's serialized and sealed forms (format 1, still
/// read, and format 2, written), the bucket key, and an SSE-KMS object's KEK and sealed key with its
/// binding.
/// </summary>
public class KmsTestVectorTests
{
    private static readonly byte[] Master = Sequence(0xa0, 32);
    private static readonly byte[] VersionKey = Sequence(0xc0, 32);
    private static readonly byte[] Iv = Sequence(0x20, 32);
    private static readonly byte[] Oek = Sequence(0x40, 32);
    private static readonly byte[] SealNonce = Sequence(0x60, 12);
    private static readonly DateTimeOffset Created = new(638000000000000000, TimeSpan.Zero);

    /// <summary>A ring of format 1 (before automatic rotation), as a server before it stored one: it still opens and reads.</summary>
    [Fact]
    public void KeyRingOfFormat1()
    {
        byte[] serialized = Convert.FromHexString(
            "0100010d6661737473332d7373652d7333020108daa19ea6b3000000065353452d533300010000000108daa1"
            + "9ea6b30000c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf0000");
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
        Assert.Equal(BuiltInKms.ServerKeyId, parsed.Id);
        Assert.Equal(KeyManager.Server, parsed.Manager);
        Assert.Equal(new AutoRotation(false, 365, Created), parsed.Rotation);
        KeyVersion version = Assert.Single(parsed.Versions);
        Assert.Equal((1, VersionOrigin.KeyCreated, Created), (version.Number, version.Origin, version.Created));
        Assert.Equal(VersionKey, version.Material.ToArray());

        // Another master key name in the header does not open it.
        header[^1] ^= 1;
        Assert.False(KeyRingCipher.TryOpen(Master, header, stored.AsSpan(header.Length), opened));
    }

    /// <summary>Format 2: a key rotated automatically every 90 days, once, and an alias to it.</summary>
    [Fact]
    public void KeyRingOfFormat2()
    {
        const string id = "1234abcd-12ab-34cd-56ef-1234567890ab";
        DateTimeOffset rotated = Created.AddDays(90);
        var key = new KmsKey(id, KeyManager.Customer, Created, "diary", Enabled: true, new AutoRotation(true, 90, Created),
            [new KeyVersion(1, VersionOrigin.KeyCreated, Created, VersionKey), new KeyVersion(2, VersionOrigin.Automatic, rotated, Sequence(0xe0, 32))]);
        var ring = new KeyRing([key], new Dictionary<string, string> { ["alias/diary"] = id });
        string expected = "0200012431323334616263642d313261622d333463642d353665662d313233343536373839306162000308da"
            + "a19ea6b30000005a08daa19ea6b30000000564696172790002000000010008daa19ea6b30000c0c1c2c3c4c5"
            + "c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf000000020108dae8578fe08000e0e1e2e3e4"
            + "e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff00010b616c6961732f6469617279243132"
            + "3334616263642d313261622d333463642d353665662d313233343536373839306162";
        Assert.Equal(expected, Convert.ToHexStringLower(ring.Serialize()));

        KmsKey parsed = Assert.Single(FastS3.Kms.KeyRing.Parse(Convert.FromHexString(expected)).Keys);
        Assert.Equal(key.Rotation, parsed.Rotation);
        Assert.Equal([(1, VersionOrigin.KeyCreated, Created), (2, VersionOrigin.Automatic, rotated)], parsed.Versions.Select(v => (v.Number, v.Origin, v.Created)));
        Assert.Equal(rotated.AddDays(90), RotationSchedule.Next(parsed));
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
