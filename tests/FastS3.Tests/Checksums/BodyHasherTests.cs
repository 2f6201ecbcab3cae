using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using FastS3.Api;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Testing;

namespace FastS3.Tests.Checksums;

/// <summary>One-pass hashing: standard check values, agreement with one-shot hashes for any split of the input, reuse, verification.</summary>
public class BodyHasherTests
{
    private static readonly byte[] CheckInput = "123456789"u8.ToArray();

    public static TheoryData<ChecksumAlgorithm, string> CheckValues => new()
    {
        // The catalogued check values (reveng.sourceforge.io), written big-endian as S3 sends them.
        { ChecksumAlgorithm.Crc32, "CBF43926" },
        { ChecksumAlgorithm.Crc32C, "E3069283" },
        { ChecksumAlgorithm.Crc64Nvme, "AE8B14860A799888" },
        { ChecksumAlgorithm.Sha1, "F7C3BC1D808E04732ADF679965CCC34CA7AE3441" },
        { ChecksumAlgorithm.Sha256, "15E2B0D3C33891EBB0F1EF609EC419420C20E320CE94C65FBC8C3312448EB225" },
    };

    [Theory]
    [MemberData(nameof(CheckValues))]
    public void StandardCheckValues(ChecksumAlgorithm algorithm, string hex)
    {
        using var hasher = new BodyHasher();
        hasher.Begin(md5: false, sha256: false, algorithm);
        hasher.Append(CheckInput);
        hasher.Finish();

        Assert.Equal(hex, Convert.ToHexString(hasher.Checksum));
        Assert.Equal(algorithm.DigestLength, hasher.Checksum.Length);
        Span<byte> base64 = stackalloc byte[DigestBase64.MaxLength];
        int written = hasher.WriteChecksumBase64(base64);
        Assert.Equal(Convert.ToBase64String(Convert.FromHexString(hex)), Encoding.ASCII.GetString(base64[..written]));
    }

    [Fact]
    public void BigEndianCrcsBase64AsS3SendsThem()
    {
        Assert.Equal("y/Q5Jg==", Base64Of(ChecksumAlgorithm.Crc32, CheckInput));
        Assert.Equal("4waSgw==", Base64Of(ChecksumAlgorithm.Crc32C, CheckInput));
        Assert.Equal("rosUhgp5mIg=", Base64Of(ChecksumAlgorithm.Crc64Nvme, CheckInput));
    }

    [Fact]
    public void AwsCliCrc32OfTheDiary()
    {
        // botocore computed this for the captured PutObject (tests/FastS3.Testing/Fixtures/README.md).
        Assert.Equal("ECU9AA==", Base64Of(ChecksumAlgorithm.Crc32, Fixtures.DiaryBody()));
    }

    [Fact]
    public void EmptyBody()
    {
        using var hasher = new BodyHasher();
        hasher.Begin(md5: true, sha256: true, ChecksumAlgorithm.Crc64Nvme);
        hasher.Finish();
        Assert.Equal(MD5.HashData([]), hasher.Md5.ToArray());
        Assert.Equal(SHA256.HashData([]), hasher.Sha256.ToArray());
        Assert.Equal(new byte[8], hasher.Checksum.ToArray());
        Assert.Equal(0, hasher.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(32 * 1024 - 1)]
    [InlineData(32 * 1024)]
    [InlineData(32 * 1024 + 1)]
    [InlineData(200_003)]
    public void DigestsMatchOneShotHashes(int length)
    {
        byte[] data = RandomBytes(length, seed: length);
        using var hasher = new BodyHasher();
        foreach (ChecksumAlgorithm algorithm in AllAlgorithms)
        {
            hasher.Begin(md5: true, sha256: true, algorithm);
            hasher.Append(data);
            hasher.Finish();
            Assert.Equal(MD5.HashData(data), hasher.Md5.ToArray());
            Assert.Equal(SHA256.HashData(data), hasher.Sha256.ToArray());
            Assert.Equal(Reference(algorithm, data), hasher.Checksum.ToArray());
            Assert.Equal(length, hasher.Length);
        }
    }

    public static TheoryData<bool, bool, ChecksumAlgorithm> Configurations()
    {
        var data = new TheoryData<bool, bool, ChecksumAlgorithm>();
        foreach (ChecksumAlgorithm algorithm in (ChecksumAlgorithm[])[ChecksumAlgorithm.None, .. AllAlgorithms])
        {
            data.Add(false, false, algorithm);
            data.Add(true, false, algorithm);
            data.Add(true, true, algorithm);
            data.Add(false, true, algorithm);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void AnySplitGivesTheSameDigests(bool md5, bool sha256, ChecksumAlgorithm algorithm)
    {
        var random = new Random(1234 + (int)algorithm);
        byte[] data = RandomBytes(150_000, seed: 99);
        using var hasher = new BodyHasher();
        for (int round = 0; round < 12; round++)
        {
            int[] cuts = SequenceBuilder.RandomCuts(random, data.Length, random.Next(0, 40));

            // As spans, pieces in order.
            hasher.Begin(md5, sha256, algorithm);
            int start = 0;
            foreach (int cut in cuts.Order().Append(data.Length))
            {
                hasher.Append(data.AsSpan(start, cut - start));
                start = cut;
            }

            hasher.Finish();
            AssertDigests(hasher, md5, sha256, algorithm, data);

            // As one multi-segment sequence.
            ReadOnlySequence<byte> sequence = SequenceBuilder.Split(data, cuts);
            hasher.Begin(md5, sha256, algorithm);
            hasher.Append(sequence);
            hasher.Finish();
            AssertDigests(hasher, md5, sha256, algorithm, data);
        }
    }

    [Fact]
    public void ReusedAcrossBodiesIncludingAnAbandonedOne()
    {
        byte[] first = RandomBytes(70_000, seed: 1);
        byte[] second = RandomBytes(5_000, seed: 2);
        using var hasher = new BodyHasher();

        hasher.Begin(md5: true, sha256: true, ChecksumAlgorithm.Crc32);
        hasher.Append(first);
        hasher.Finish();
        AssertDigests(hasher, true, true, ChecksumAlgorithm.Crc32, first);

        // The client disconnects half-way: nothing of it may leak into the next body.
        hasher.Begin(md5: true, sha256: true, ChecksumAlgorithm.Crc32);
        hasher.Append(first.AsSpan(0, 1000));

        hasher.Begin(md5: true, sha256: true, ChecksumAlgorithm.Crc32);
        hasher.Append(second);
        hasher.Finish();
        AssertDigests(hasher, true, true, ChecksumAlgorithm.Crc32, second);
    }

    [Fact]
    public void Sha256ChecksumSharesThePayloadHash()
    {
        byte[] data = RandomBytes(100_000, seed: 3);
        using var hasher = new BodyHasher();
        hasher.Begin(md5: false, sha256: true, ChecksumAlgorithm.Sha256);
        hasher.Append(data);
        hasher.Finish();
        Assert.Equal(SHA256.HashData(data), hasher.Sha256.ToArray());
        Assert.Equal(SHA256.HashData(data), hasher.Checksum.ToArray());

        // Asked for as a checksum only, the payload hash is there too, at no extra cost.
        hasher.Begin(md5: false, sha256: false, ChecksumAlgorithm.Sha256);
        hasher.Append(data);
        hasher.Finish();
        Assert.Equal(SHA256.HashData(data), hasher.Checksum.ToArray());
    }

    [Fact]
    public void MisuseIsAnInvalidOperation()
    {
        using var hasher = new BodyHasher();
        Assert.Throws<InvalidOperationException>(() => hasher.Append([1]));
        Assert.Throws<InvalidOperationException>(hasher.Finish);

        hasher.Begin(md5: false, sha256: false, ChecksumAlgorithm.Crc32);
        hasher.Append([1, 2, 3]);
        Assert.Throws<InvalidOperationException>(() => hasher.Checksum.Length);
        hasher.Finish();
        Assert.Throws<InvalidOperationException>(() => hasher.Md5.Length);
        Assert.Throws<InvalidOperationException>(() => hasher.Sha256.Length);
        Assert.Throws<InvalidOperationException>(() => hasher.VerifyChecksum(ChecksumAlgorithm.Crc32C, new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => hasher.Begin(false, false, (ChecksumAlgorithm)42));
    }

    [Fact]
    public void VerifyAnswersTheS3Errors()
    {
        byte[] data = Fixtures.DiaryBody();
        using var hasher = new BodyHasher();
        hasher.Begin(md5: true, sha256: true, ChecksumAlgorithm.Crc32);
        hasher.Append(data);
        hasher.Finish();

        Assert.Null(hasher.VerifyChecksum(ChecksumAlgorithm.Crc32, Convert.FromBase64String("ECU9AA==")));
        S3Error? mismatch = hasher.VerifyChecksum(ChecksumAlgorithm.Crc32, Convert.FromBase64String("ECU9AQ=="));
        Assert.Equal((400, "BadDigest", "The CRC32 you specified did not match the calculated checksum."), (mismatch!.Status, mismatch.Code, mismatch.Message));

        Assert.Null(hasher.VerifyContentMd5(MD5.HashData(data)));
        S3Error? md5 = hasher.VerifyContentMd5(MD5.HashData(data.AsSpan(1)));
        Assert.Equal((400, "BadDigest", "The Content-MD5 you specified did not match what we received."), (md5!.Status, md5.Code, md5.Message));

        Assert.Null(hasher.VerifyPayloadSha256(SHA256.HashData(data)));
        Assert.Same(S3Errors.XAmzContentSHA256Mismatch, hasher.VerifyPayloadSha256(SHA256.HashData(data.AsSpan(1))));
    }

    [Fact]
    public void VerifyChecksPayloadThenContentMd5ThenChecksum()
    {
        byte[] data = Fixtures.DiaryBody();
        using var hasher = new BodyHasher();
        hasher.Begin(md5: true, sha256: true, ChecksumAlgorithm.Sha1);
        hasher.Append(data);
        hasher.Finish();

        Assert.Same(S3Errors.XAmzContentSHA256Mismatch, hasher.Verify(new ChecksumRequest(), SHA256.HashData(data.AsSpan(1))));
        Assert.Null(hasher.Verify(new ChecksumRequest(), SHA256.HashData(data)));
        Assert.Null(hasher.Verify(new ChecksumRequest(), new SignatureContext { Payload = PayloadMode.Unsigned }.SignedPayloadSha256));
    }

    [Fact]
    public void SteadyStateAllocatesNothing()
    {
        byte[] data = RandomBytes(256 * 1024, seed: 5);
        ReadOnlySequence<byte> sequence = SequenceBuilder.Split(data, [1000, 70_000, 70_001, 200_000]);
        byte[] expected = Reference(ChecksumAlgorithm.Crc64Nvme, data);
        byte[] base64 = new byte[DigestBase64.MaxLength];
        using var hasher = new BodyHasher();

        void OneBody(ChecksumAlgorithm algorithm)
        {
            hasher.Begin(md5: true, sha256: true, algorithm);
            hasher.Append(sequence);
            hasher.Finish();
            hasher.WriteChecksumBase64(base64);
            if (algorithm == ChecksumAlgorithm.Crc64Nvme && hasher.VerifyChecksum(algorithm, expected) is not null)
            {
                throw new InvalidOperationException("checksum mismatch");
            }
        }

        foreach (ChecksumAlgorithm algorithm in AllAlgorithms)
        {
            OneBody(algorithm);
            OneBody(algorithm);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            foreach (ChecksumAlgorithm algorithm in AllAlgorithms)
            {
                OneBody(algorithm);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    internal static readonly ChecksumAlgorithm[] AllAlgorithms =
        [ChecksumAlgorithm.Crc32, ChecksumAlgorithm.Crc32C, ChecksumAlgorithm.Crc64Nvme, ChecksumAlgorithm.Sha1, ChecksumAlgorithm.Sha256];

    internal static byte[] RandomBytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>The checksum by independent one-shot APIs, big-endian.</summary>
    internal static byte[] Reference(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        byte[] digest = new byte[algorithm.DigestLength];
        switch (algorithm)
        {
            case ChecksumAlgorithm.Crc32:
                BinaryPrimitives.WriteUInt32BigEndian(digest, Crc32.HashToUInt32(data));
                break;
            case ChecksumAlgorithm.Crc32C:
                BinaryPrimitives.WriteUInt32BigEndian(digest, Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data));
                break;
            case ChecksumAlgorithm.Crc64Nvme:
                BinaryPrimitives.WriteUInt64BigEndian(digest, Crc64.HashToUInt64(Crc64ParameterSet.Nvme, data));
                break;
            case ChecksumAlgorithm.Sha1:
                SHA1.HashData(data, digest);
                break;
            case ChecksumAlgorithm.Sha256:
                SHA256.HashData(data, digest);
                break;
        }

        return digest;
    }

    private static string Base64Of(ChecksumAlgorithm algorithm, byte[] data)
    {
        using var hasher = new BodyHasher();
        hasher.Begin(md5: false, sha256: false, algorithm);
        hasher.Append(data);
        hasher.Finish();
        byte[] base64 = new byte[DigestBase64.MaxLength];
        return Encoding.ASCII.GetString(base64, 0, hasher.WriteChecksumBase64(base64));
    }

    private static void AssertDigests(BodyHasher hasher, bool md5, bool sha256, ChecksumAlgorithm algorithm, byte[] data)
    {
        Assert.Equal(data.Length, hasher.Length);
        if (md5)
        {
            Assert.Equal(MD5.HashData(data), hasher.Md5.ToArray());
        }

        if (sha256)
        {
            Assert.Equal(SHA256.HashData(data), hasher.Sha256.ToArray());
        }

        if (algorithm != ChecksumAlgorithm.None)
        {
            Assert.Equal(Reference(algorithm, data), hasher.Checksum.ToArray());
        }
    }
}
