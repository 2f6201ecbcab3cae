using System.Text;
using System.Xml.Linq;
using FastS3.Api;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Xml;

namespace FastS3.Tests;

/// <summary>The text paths of listings: XML escaping, URL encoding of keys and S3's timestamps, on their fast (nothing to do) and slow paths alike.</summary>
public class XmlTextTests
{
    [Theory]
    [InlineData("photos/2026/a.jpg", "photos/2026/a.jpg")]
    [InlineData("", "")]
    [InlineData("a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&apos;f")]
    [InlineData("plain prefix then & one", "plain prefix then &amp; one")]
    [InlineData("a\rb\nc\td", "a&#xD;b&#xA;c&#x9;d")]
    [InlineData("\0\u0001\u000f\u0010\u001f\u0020\u007f", "&#x0;&#x1;&#xF;&#x10;&#x1F; \u007f")]
    [InlineData("ctl\u0001&\r", "ctl&#x1;&amp;&#xD;")]
    [InlineData("a-long-run-of-plain-text-before-one-control-byte-so-the-scan-is-vectorized\r", "a-long-run-of-plain-text-before-one-control-byte-so-the-scan-is-vectorized&#xD;")]
    public void EscapesForElementContent(string text, string expected)
    {
        byte[] source = Encoding.UTF8.GetBytes(text);
        byte[] destination = new byte[XmlText.EscapedLength(source)];
        Assert.Equal(destination.Length, XmlText.Escape(source, destination));
        Assert.Equal(expected, Encoding.UTF8.GetString(destination));
    }

    /// <summary>A parser normalises a raw CR (and CRLF) to LF: only a character reference brings CR back as CR.</summary>
    [Fact]
    public void LineEndsAndTabsReadBackExactly()
    {
        const string key = "a\r\nb\rc\nd\te";
        var xml = new XmlBuilder(64);
        try
        {
            xml.Element("Key"u8, Encoding.UTF8.GetBytes(key));
            Assert.Equal(key, XDocument.Parse(Encoding.UTF8.GetString(xml.Written)).Root!.Value);
        }
        finally
        {
            xml.Dispose();
        }
    }

    [Theory]
    [InlineData("photos/2026/a.jpg", true, "photos/2026/a.jpg")]
    [InlineData("photos/2026/a.jpg", false, "photos%2F2026%2Fa.jpg")]
    [InlineData("spaced name+plus/ü", true, "spaced%20name%2Bplus/%C3%BC")]
    [InlineData("ctl/a\rb\u0001", true, "ctl/a%0Db%01")]
    public void UrlEncodesKeys(string key, bool keepSlash, string expected)
    {
        byte[] source = Encoding.UTF8.GetBytes(key);
        byte[] destination = new byte[UriEncoding.MaxEncodedLength(source.Length)];
        int length = UriEncoding.Encode(source, destination, keepSlash);
        Assert.Equal(expected, Encoding.ASCII.GetString(destination, 0, length));
    }

    [Theory]
    [InlineData(2026, 11, 27, 9, 5, 3, 7, "2026-11-27T09:05:03.007Z")]
    [InlineData(1, 1, 1, 0, 0, 0, 0, "0001-01-01T00:00:00.000Z")]
    [InlineData(9999, 12, 31, 23, 59, 59, 999, "9999-12-31T23:59:59.999Z")]
    public void WritesTimesAsS3Does(int year, int month, int day, int hour, int minute, int second, int millisecond, string expected)
    {
        var xml = new XmlBuilder(64);
        try
        {
            xml.Element("T"u8, new DateTimeOffset(year, month, day, hour, minute, second, millisecond, TimeSpan.Zero));
            Assert.Equal($"<T>{expected}</T>", Encoding.ASCII.GetString(xml.Body));
        }
        finally
        {
            xml.Dispose();
        }
    }
}
