using System.Text;
using FastS3.Storage;

namespace FastS3.Tests;

public class BucketNameTests
{
    [Theory]
    [InlineData("my-bucket")]
    [InlineData("abc")]
    [InlineData("a.b.c")]
    [InlineData("123")]
    [InlineData("docexamplebucket1")]
    [InlineData("log-delivery-march-2020")]
    [InlineData("my-hosted-content")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("192.168.5")]
    public void Valid(string name)
    {
        Assert.True(BucketName.IsValid(Encoding.ASCII.GetBytes(name)));
        Assert.True(BucketName.IsValid(name));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("My-Bucket")]
    [InlineData("-bucket")]
    [InlineData("bucket-")]
    [InlineData(".bucket")]
    [InlineData("bucket.")]
    [InlineData("my..bucket")]
    [InlineData("my_bucket")]
    [InlineData("my bucket")]
    [InlineData("192.168.5.4")]
    [InlineData("xn--bucket")]
    [InlineData("sthree-bucket")]
    [InlineData("bucket-s3alias")]
    [InlineData("bucket--ol-s3")]
    [InlineData("b\u00e9cket")]
    [InlineData("a.-b")]
    [InlineData("a-.b")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("...")]
    [InlineData("../x")]
    [InlineData("../../canary")]
    [InlineData("/tmp/abs")]
    [InlineData("%2e%2e")]
    [InlineData(".fasts3")]
    [InlineData("a\\b")]
    [InlineData("abc\u0000")]
    public void Invalid(string name)
    {
        Assert.False(BucketName.IsValid(Encoding.UTF8.GetBytes(name)));
        Assert.False(BucketName.IsValid(name));
    }
}
