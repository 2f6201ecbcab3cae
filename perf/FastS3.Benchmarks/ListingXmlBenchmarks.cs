using System.Buffers.Text;
using BenchmarkDotNet.Attributes;
using FastS3.Api;
using FastS3.Basics;
using FastS3.Xml;

namespace FastS3.Benchmarks;

/// <summary>
/// Rendering a full ListObjectsV2 page (1000 keys, truncated, with a continuation token) with
/// <see cref="XmlBuilder"/>, element for element as <c>Listing</c> writes it, with and without
/// encoding-type=url (aws-cli always asks for it). The index walk is measured by
/// IndexReadBenchmarks.ListPage; this is the document alone. The builder's pooled buffer grows to
/// the page size once, after which a page must allocate nothing.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ListingXmlBenchmarks
{
    private const int Keys = 1000;

    private byte[][] _keys = [];
    private byte[] _etag = [];
    private readonly DateTimeOffset _modified = new(2026, 11, 27, 11, 5, 0, 123, TimeSpan.Zero);

    [GlobalSetup]
    public void Setup()
    {
        _keys = [.. Enumerable.Range(0, Keys).Select(IndexBenchmarkData.Key).Order(Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y)))];
        _etag = "9b2cf535f27731c974343645a3985328"u8.ToArray();
        // Nothing in these keys needs escaping, so the two differ only by <EncodingType>url</EncodingType>.
        int length = ListObjectsV2_UrlEncoded();
        if (length < Keys * 200 || length != ListObjectsV2_Plain() + "<EncodingType>url</EncodingType>".Length)
        {
            throw new InvalidOperationException($"benchmark self-check failed: a page of {length} bytes");
        }
    }

    [Benchmark(Baseline = true)]
    public int ListObjectsV2_UrlEncoded() => Render(urlEncoding: true);

    [Benchmark]
    public int ListObjectsV2_Plain() => Render(urlEncoding: false);

    private int Render(bool urlEncoding)
    {
        var xml = new XmlBuilder(4096);
        try
        {
            xml.OpenRoot("ListBucketResult"u8);
            xml.Element("Name"u8, "photos-bucket"u8);
            xml.KeyElement("Prefix"u8, "photos/"u8, urlEncoding);
            xml.Element("MaxKeys"u8, Keys);
            Span<byte> etag = stackalloc byte[_etag.Length + 2];
            ETag.WriteQuoted(_etag, etag);
            foreach (byte[] key in _keys)
            {
                xml.Open("Contents"u8);
                xml.KeyElement("Key"u8, key, urlEncoding);
                xml.Element("LastModified"u8, _modified);
                xml.Element("ETag"u8, etag);
                xml.Element("Size"u8, 4096 + key.Length);
                xml.Element("StorageClass"u8, "STANDARD"u8);
                xml.Close("Contents"u8);
            }

            xml.Element("IsTruncated"u8, true);
            Span<byte> token = stackalloc byte[Base64Url.GetEncodedLength(S3Call.MaxKeyLength)];
            xml.Element("NextContinuationToken"u8, token[..Base64Url.EncodeToUtf8(_keys[^1], token)]);
            xml.Element("KeyCount"u8, Keys);
            if (urlEncoding)
            {
                xml.Element("EncodingType"u8, "url"u8);
            }

            xml.Close("ListBucketResult"u8);
            return xml.Written.Length;
        }
        finally
        {
            xml.Dispose();
        }
    }
}
