using System.Text;
using FastS3.Upstream;

namespace FastS3.Tests.Upstream;

/// <summary>The response readers on documents RGW does not easily produce: an error inside a 200, a proxy's HTML.</summary>
public sealed class UpstreamXmlTests
{
    [Fact]
    public void An_Error_In_A_200_Is_Seen_As_One()
    {
        byte[] document = Encoding.UTF8.GetBytes("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>tx1</RequestId></Error>
            """);
        Assert.Equal("Error", XmlLeaves.Root(document));
        Assert.Equal(("InternalError", "We encountered an internal error. Please try again.", "tx1"), ResponseXml.Error(document));
        Assert.Equal("CompleteMultipartUploadResult", XmlLeaves.Root("<CompleteMultipartUploadResult><ETag>\"e-2\"</ETag></CompleteMultipartUploadResult>"u8.ToArray()));
    }

    [Fact]
    public void A_Body_That_Is_Not_Xml_Leaves_The_Status_Alone()
        => Assert.Equal((null, null, null), ResponseXml.Error("<html><body>502 Bad Gateway"u8.ToArray()));

    [Fact]
    public void Listing_Keys_Decode_Back_To_Bytes()
    {
        ListObjectsPage page = ResponseXml.Objects("""
            <ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t+1</NextContinuationToken>
            <Contents><Key>a+b%2Bc%01%FF</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag>"e"</ETag><Size>7</Size></Contents>
            <CommonPrefixes><Prefix>d%20/</Prefix></CommonPrefixes></ListBucketResult>
            """u8.ToArray());
        ObjectEntry entry = Assert.Single(page.Objects);
        Assert.Equal("a b+c\u0001"u8.ToArray().Append((byte)0xFF), entry.Key.ToArray());
        Assert.Equal((7L, "\"e\"", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)), (entry.Size, entry.ETag, entry.LastModified));
        Assert.Equal("d /"u8.ToArray(), Assert.Single(page.CommonPrefixes).ToArray());
        Assert.Equal((true, "t+1"), (page.IsTruncated, page.NextContinuationToken));
    }
}
