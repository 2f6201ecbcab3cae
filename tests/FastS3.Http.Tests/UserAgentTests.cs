using FastS3.Http.Tests.Infrastructure;
using FastS3.Testing;

namespace FastS3.Http.Tests;

/// <summary>HttpRequest.UserAgent, noted while the head is parsed: the first field, any case, and nothing left over for the next request.</summary>
public class UserAgentTests
{
    [Fact]
    public async Task UserAgentIsTheFirstFieldOfItsRequestOnly()
    {
        var app = new RecordingApplication();
        await InMemoryConnection.RunAsync(app,
            "GET /a HTTP/1.1\r\nHost: x\r\nuser-AGENT: first/1.0\r\nConnection: keep-alive\r\nUser-Agent: second/2.0\r\n\r\n"
            + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(["first/1.0", ""], app.Requests.Select(r => r.UserAgent));
    }
}
