using System.Text;
using FastS3.Api;
using FastS3.Auth;
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
    public void EscapesForElementContent(string text, string expected)
    {
        byte[] source = Encoding.UTF8.GetBytes(text);
        byte[] destination = new byte[XmlText.EscapedLength(source)];
        Assert.Equal(destination.Length, XmlText.Escape(source, destination));
        Assert.Equal(expected, Encoding.UTF8.GetString(destination));
    }

    [Theory]
    [InlineData("photos/2026/a.jpg", true, "photos/2026/a.jpg")]
    [InlineData("photos/2026/a.jpg", false, "photos%2F2026%2Fa.jpg")]
    [InlineData("spaced name+plus/ü", true, "spaced%20name%2Bplus/%C3%BC")]
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
