using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using FastS3.Checksums;

namespace FastS3.Tests.Checksums;

/// <summary>FULL_OBJECT CRC combination against the CRC of the concatenated data, and COMPOSITE checksums.</summary>
public class MultipartChecksumTests
{
    [Fact]
    public void CombineMatchesTheCheckValues()
    {
        // "1234" + "56789" = "123456789".
        Assert.Equal(0xCBF43926u, CrcCombine.Crc32(Crc32.HashToUInt32("1234"u8), Crc32.HashToUInt32("56789"u8), 5));
        Assert.Equal(0xE3069283u, CrcCombine.Crc32C(
            Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, "1"u8), Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, "23456789"u8), 8));
        Assert.Equal(0xAE8B14860A799888ul, CrcCombine.Crc64Nvme(
            Crc64.HashToUInt64(Crc64ParameterSet.Nvme, "12345678"u8), Crc64.HashToUInt64(Crc64ParameterSet.Nvme, "9"u8), 1));
    }

    [Fact]
    public void CombiningWithNothingChangesNothing()
    {
        uint crc = Crc32.HashToUInt32("123456789"u8);
        Assert.Equal(crc, CrcCombine.Crc32(crc, 0, 0));
        Assert.Equal(crc, CrcCombine.Crc32(0, crc, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrcCombine.Crc32(crc, crc, -1));
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32)]
    [InlineData(ChecksumAlgorithm.Crc32C)]
    [InlineData(ChecksumAlgorithm.Crc64Nvme)]
    public void FullObjectCrcEqualsTheCrcOfTheWholeData(ChecksumAlgorithm algorithm)
    {
        var random = new Random(42 + (int)algorithm);
        byte[] data = BodyHasherTests.RandomBytes(3 * 1024 * 1024 + 17, seed: 11);
        for (int round = 0; round < 20; round++)
        {
            // Parts of any size, empty ones included, in order.
            int[] bounds = [0, .. SequenceBuilder.RandomCuts(random, data.Length, random.Next(0, 12)).Order(), data.Length];
            byte[] combined = new byte[algorithm.DigestLength];
            for (int i = 0; i + 1 < bounds.Length; i++)
            {
                ReadOnlySpan<byte> part = data.AsSpan(bounds[i], bounds[i + 1] - bounds[i]);
                MultipartChecksum.CombineFullObject(algorithm, combined, BodyHasherTests.Reference(algorithm, part), part.Length);
            }

            Assert.Equal(BodyHasherTests.Reference(algorithm, data), combined);
        }
    }

    [Fact]
    public void FullObjectCrcOfLargeParts()
    {
        // Lengths beyond 2^32 bits exercise the upper powers: 600 MiB of zeros in 3 parts, against
        // the CRC of zeros computed by feeding one buffer repeatedly.
        const int chunk = 1024 * 1024;
        long[] partLengths = [200L * chunk, 300L * chunk + 5, 100L * chunk - 5];
        byte[] zeros = new byte[chunk];
        var whole = new Crc64(Crc64ParameterSet.Nvme);
        byte[] combined = new byte[8];
        foreach (long length in partLengths)
        {
            var part = new Crc64(Crc64ParameterSet.Nvme);
            for (long left = length; left > 0; left -= Math.Min(left, chunk))
            {
                part.Append(zeros.AsSpan(0, (int)Math.Min(left, chunk)));
                whole.Append(zeros.AsSpan(0, (int)Math.Min(left, chunk)));
            }

            byte[] partChecksum = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(partChecksum, part.GetCurrentHashAsUInt64());
            MultipartChecksum.CombineFullObject(ChecksumAlgorithm.Crc64Nvme, combined, partChecksum, length);
        }

        Assert.Equal(whole.GetCurrentHashAsUInt64(), BinaryPrimitives.ReadUInt64BigEndian(combined));
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32)]
    [InlineData(ChecksumAlgorithm.Crc32C)]
    [InlineData(ChecksumAlgorithm.Sha1)]
    [InlineData(ChecksumAlgorithm.Sha256)]
    public void CompositeIsTheChecksumOfThePartChecksums(ChecksumAlgorithm algorithm)
    {
        byte[][] parts = [BodyHasherTests.RandomBytes(5000, 1), BodyHasherTests.RandomBytes(7, 2), BodyHasherTests.RandomBytes(1, 3)];
        byte[] concatenated = parts.SelectMany(part => BodyHasherTests.Reference(algorithm, part)).ToArray();
        byte[] digest = new byte[algorithm.DigestLength];
        MultipartChecksum.ComputeComposite(algorithm, concatenated, digest);
        Assert.Equal(BodyHasherTests.Reference(algorithm, concatenated), digest);

        byte[] text = new byte[MultipartChecksum.MaxCompositeLength];
        int written = MultipartChecksum.FormatComposite(digest, parts.Length, text);
        Assert.Equal(Convert.ToBase64String(digest) + "-3", Encoding.ASCII.GetString(text, 0, written));
    }

    [Fact]
    public void CompositeOfTwoCrc32Parts()
    {
        // Parts "1234" and "56789": CRC32 over their big-endian CRCs, as S3 renders it.
        byte[] partChecksums = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(partChecksums, Crc32.HashToUInt32("1234"u8));
        BinaryPrimitives.WriteUInt32BigEndian(partChecksums.AsSpan(4), Crc32.HashToUInt32("56789"u8));
        byte[] digest = new byte[4];
        MultipartChecksum.ComputeComposite(ChecksumAlgorithm.Crc32, partChecksums, digest);

        byte[] expected = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(expected, Crc32.HashToUInt32(partChecksums));
        Assert.Equal(expected, digest);

        byte[] text = new byte[MultipartChecksum.MaxCompositeLength];
        int written = MultipartChecksum.FormatComposite(digest, 10000, text);
        Assert.Equal(Convert.ToBase64String(expected) + "-10000", Encoding.ASCII.GetString(text, 0, written));
    }

    [Fact]
    public void EachModeOnlyForItsAlgorithms()
    {
        Assert.False(MultipartChecksum.SupportsComposite(ChecksumAlgorithm.Crc64Nvme));
        Assert.True(MultipartChecksum.SupportsComposite(ChecksumAlgorithm.Sha256));
        Assert.True(MultipartChecksum.SupportsFullObject(ChecksumAlgorithm.Crc64Nvme));
        Assert.False(MultipartChecksum.SupportsFullObject(ChecksumAlgorithm.Sha1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MultipartChecksum.ComputeComposite(ChecksumAlgorithm.Crc64Nvme, new byte[8], new byte[8]));
        Assert.Throws<ArgumentOutOfRangeException>(() => MultipartChecksum.CombineFullObject(ChecksumAlgorithm.Sha256, new byte[32], new byte[32], 1));
    }
}
