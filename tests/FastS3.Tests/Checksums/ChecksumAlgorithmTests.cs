using System.Text;
using FastS3.Checksums;

namespace FastS3.Tests.Checksums;

public class ChecksumAlgorithmTests
{
    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "x-amz-checksum-crc32", "CRC32", 4, 8)]
    [InlineData(ChecksumAlgorithm.Crc32C, "x-amz-checksum-crc32c", "CRC32C", 4, 8)]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "x-amz-checksum-crc64nvme", "CRC64NVME", 8, 12)]
    [InlineData(ChecksumAlgorithm.Sha1, "x-amz-checksum-sha1", "SHA1", 20, 28)]
    [InlineData(ChecksumAlgorithm.Sha256, "x-amz-checksum-sha256", "SHA256", 32, 44)]
    public void WireNamesAndLengths(ChecksumAlgorithm algorithm, string header, string name, int digestLength, int base64Length)
    {
        Assert.Equal(header, Encoding.ASCII.GetString(algorithm.HeaderName));
        Assert.Equal(name, Encoding.ASCII.GetString(algorithm.Name));
        Assert.Equal(digestLength, algorithm.DigestLength);
        Assert.Equal(base64Length, algorithm.Base64Length);
        Assert.Equal(base64Length, DigestBase64.EncodedLength(digestLength));

        Assert.True(ChecksumAlgorithmExtensions.TryParseName(Encoding.ASCII.GetBytes(name), out ChecksumAlgorithm parsed));
        Assert.Equal(algorithm, parsed);
        Assert.True(ChecksumAlgorithmExtensions.TryParseName(Encoding.ASCII.GetBytes(name.ToLowerInvariant()), out parsed));
        Assert.Equal(algorithm, parsed);
        Assert.True(ChecksumAlgorithmExtensions.TryParseHeaderName(Encoding.ASCII.GetBytes(header.ToUpperInvariant()), out parsed));
        Assert.Equal(algorithm, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("CRC")]
    [InlineData("CRC32X")]
    [InlineData("CRC64")]
    [InlineData("SHA512")]
    [InlineData("MD5")]
    [InlineData("NONE")]
    public void UnknownNamesDoNotParse(string name)
    {
        Assert.False(ChecksumAlgorithmExtensions.TryParseName(Encoding.ASCII.GetBytes(name), out ChecksumAlgorithm algorithm));
        Assert.Equal(ChecksumAlgorithm.None, algorithm);
        Assert.False(ChecksumAlgorithmExtensions.TryParseHeaderName(Encoding.ASCII.GetBytes("x-amz-checksum-" + name), out _));
    }

    [Fact]
    public void NoneHasNoWireForm()
    {
        Assert.True(ChecksumAlgorithm.None.HeaderName.IsEmpty);
        Assert.True(ChecksumAlgorithm.None.Name.IsEmpty);
        Assert.Equal(0, ChecksumAlgorithm.None.DigestLength);
        Assert.False(ChecksumAlgorithm.None.IsCrc);
        Assert.True(ChecksumAlgorithm.Crc64Nvme.IsCrc);
        Assert.False(ChecksumAlgorithm.Sha1.IsCrc);
    }

    [Fact]
    public void ErrorMessagesNameTheAlgorithm()
    {
        Assert.Equal("The CRC32 you specified did not match the calculated checksum.", ChecksumErrors.Mismatch(ChecksumAlgorithm.Crc32).Message);
        Assert.Equal("The CRC64NVME you specified did not match the calculated checksum.", ChecksumErrors.Mismatch(ChecksumAlgorithm.Crc64Nvme).Message);
        Assert.Equal("BadDigest", ChecksumErrors.Mismatch(ChecksumAlgorithm.Sha256).Code);
        Assert.Equal("Value for x-amz-checksum-sha1 header is invalid.", ChecksumErrors.InvalidHeaderValue(ChecksumAlgorithm.Sha1).Message);
        Assert.Equal("Value for x-amz-checksum-crc32c trailing header is invalid.", ChecksumErrors.InvalidTrailerValue(ChecksumAlgorithm.Crc32C).Message);
        Assert.Equal(400, ChecksumErrors.InvalidHeaderValue(ChecksumAlgorithm.Crc32).Status);
        Assert.Throws<ArgumentOutOfRangeException>(() => ChecksumErrors.Mismatch(ChecksumAlgorithm.None));
    }
}
