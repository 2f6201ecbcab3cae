using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>How a read of tampered SSE-C data must end: never with a wrong byte, and never with a server that stops answering.</summary>
internal enum TamperedRead
{
    /// <summary>The damage is outside what was asked for: exactly the right bytes.</summary>
    Served,

    /// <summary>Found before the answer started: 500 InternalError, no object byte sent.</summary>
    Refused,

    /// <summary>Found after the first batch went out: the body stops short of its Content-Length, every byte sent right.</summary>
    CutShort,
}

internal static class TamperedReads
{
    /// <summary>
    /// GETs <paramref name="path"/> with <paramref name="headers"/>, asserts it ends as
    /// <paramref name="expected"/> says (<paramref name="plaintext"/> is what the range must hold),
    /// then that the same server answers the next request: <paramref name="healthy"/> reads back whole.
    /// Damage found is logged once as such (a warning an operator can alert on), never as a server
    /// failure. Returns the body received.
    /// </summary>
    public static async Task<byte[]> AssertAsync(TestServer server, string path, string[] headers, TamperedRead expected, byte[] plaintext, (string Path, byte[] Body) healthy, string what)
    {
        const string Logged = "stored object is damaged";
        int loggedBefore = Occurrences(server.Log, Logged);
        string signed = await PersistentSigner.SignAsync("GET", new Uri(server.BaseUrl, path), null, headers);
        byte[] body;
        using (RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: true))
        {
            await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: 0\r\n{signed}\r\n");
            RawResponse head = await client.ReadResponseAsync(head: true);
            int length = int.Parse(head.Headers["Content-Length"]);
            body = await client.ReadBodyAsync(length);
            var response = head with { Body = body };
            switch (expected)
            {
                case TamperedRead.Served:
                    Assert.True(head.Status is 200 or 206 && body.AsSpan().SequenceEqual(plaintext), $"{what}: expected the right {plaintext.Length} bytes, got {response.Describe()}");
                    break;
                case TamperedRead.Refused:
                    S3Assert.Error(response, 500, "InternalError");
                    Assert.True(body.Length == length, $"{what}: the refusal was cut short");
                    break;
                case TamperedRead.CutShort:
                    Assert.True(head.Status is 200 or 206 && length == plaintext.Length, $"{what}: expected the answer to start, got {response.Describe()}");
                    Assert.True(body.Length < length, $"{what}: a tampered body went out whole");
                    Assert.True(body.AsSpan().SequenceEqual(plaintext.AsSpan(0, body.Length)), $"{what}: a wrong byte was sent before the cut");
                    break;
            }
        }

        RawResponse next = await SignedRequests.SendAsync(server, "GET", healthy.Path, []);
        Assert.True(next.Status == 200 && next.Body.AsSpan().SequenceEqual(healthy.Body), $"{what}: the next request was not served: {next.Describe()}");
        Assert.True(Occurrences(server.Log, Logged) == loggedBefore + (expected == TamperedRead.Served ? 0 : 1), $"{what}: the damage found was not logged once as such");
        Assert.DoesNotContain("application failed", server.Log);
        Assert.DoesNotContain("unexpected failure", server.Log);
        return body;
    }

    private static int Occurrences(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;
}
