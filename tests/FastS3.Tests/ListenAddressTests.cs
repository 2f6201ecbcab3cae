using System.Net;
using FastS3.Cli;

namespace FastS3.Tests;

public class ListenAddressTests
{
    [Fact]
    public void PortAloneMeansEveryInterfaceDualStack()
        => Assert.Equal([new IPEndPoint(IPAddress.IPv6Any, 9000)], ListenAddress.Parse(":9000"));

    [Fact]
    public void LocalhostMeansBothLoopbacks()
        => Assert.Equal([new IPEndPoint(IPAddress.Loopback, 9000), new IPEndPoint(IPAddress.IPv6Loopback, 9000)], ListenAddress.Parse("localhost:9000"));

    [Theory]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    [InlineData("[::1]:9443", "::1", 9443)]
    [InlineData("0.0.0.0:80", "0.0.0.0", 80)]
    public void ExplicitAddresses(string text, string address, int port)
        => Assert.Equal([new IPEndPoint(IPAddress.Parse(address), port)], ListenAddress.Parse(text));

    [Theory]
    [InlineData("9000")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("example.com:9000")]
    public void RejectsWhatIsNotHostPort(string text) => Assert.Throws<FormatException>(() => ListenAddress.Parse(text));
}
