using System.Diagnostics;
using FastS3.Http.Tests.Infrastructure;
using FastS3.Testing;
using static FastS3.Http.Tests.Infrastructure.Eventually;

namespace FastS3.Http.Tests;

/// <summary>
/// Uploads answered before their bodies are read, while the client is still sending them, over
/// real loopback sockets: the answer must reach the client whole and be followed by an orderly end
/// of the stream (FIN, TLS close_notify), never a reset that destroys it, however the client orders
/// its writes and reads; what the server discards after answering is bounded in time and bytes, and
/// a connection lingering keeps its place under the connection limit.
/// </summary>
public class LingeringCloseTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClientThatSendsTheWholeBodyBeforeReadingGetsTheEarlyAnswer(bool tls)
    {
        await using LoopbackServer server = LoopbackServer.Start(RefusingUploads(), tls: tls);
        using RawClient client = await RawClient.ConnectAsync(server.Port, tls);

        // As http.client does (boto3 too, once its wait for 100 Continue is over): the whole request, then the response.
        await client.SendAsync(Upload(30 << 20));
        byte[] block = new byte[64 * 1024];
        for (int sent = 0; sent < 30 << 20; sent += block.Length)
        {
            await client.Stream.WriteAsync(block);
        }

        AssertRefused(await client.ReadResponseAsync());
        Assert.Equal(0, await ReadOneAsync(client));

        // Lingering ends when the client closes, not at its bound.
        var clock = Stopwatch.StartNew();
        client.Dispose();
        await WaitUntil(() => server.Server.ConnectionCount == 0);
        Assert.True(clock.Elapsed < new HttpLimits().LingerTimeout, $"the server lingered {clock.Elapsed} after the client closed");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClientThatNeverStopsSendingIsCutAtTheLingerTimeout(bool tls)
    {
        await using LoopbackServer server = LoopbackServer.Start(RefusingUploads(), new HttpLimits { LingerTimeout = TimeSpan.FromSeconds(2) }, tls);
        using RawClient client = await RawClient.ConnectAsync(server.Port, tls);
        await client.SendAsync(Upload(1L << 40));
        var clock = Stopwatch.StartNew();
        Task<(TimeSpan At, long Sent)> cut = SendUntilCutAsync(client, new byte[4096], TimeSpan.FromMilliseconds(50), clock);

        AssertRefused(await client.ReadResponseAsync());
        Assert.Equal(0, await ReadOneAsync(client));

        // Never early; late by the heartbeat's second and what a busy machine adds.
        Assert.InRange((await cut).At.TotalSeconds, 1.5, 7);
        await WaitUntil(() => server.Server.ConnectionCount == 0);
    }

    [Fact]
    public async Task ClientThatFloodsIsCutAtTheLingerSize()
    {
        var limits = new HttpLimits { LingerTimeout = TimeSpan.FromSeconds(60), MaxLingerSize = 1 << 20 };
        await using LoopbackServer server = LoopbackServer.Start(RefusingUploads(), limits);
        using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(Upload(1L << 40));
        var clock = Stopwatch.StartNew();
        Task<(TimeSpan At, long Sent)> cut = SendUntilCutAsync(client, new byte[64 * 1024], TimeSpan.Zero, clock);

        AssertRefused(await client.ReadResponseAsync());
        Assert.Equal(0, await ReadOneAsync(client));
        (TimeSpan at, long sent) = await cut;
        Assert.True(at < TimeSpan.FromSeconds(20), $"cut after {at}, not at the size bound");
        Assert.True(sent >= limits.MaxLingerSize, $"cut after {sent} bytes");
        await WaitUntil(() => server.Server.ConnectionCount == 0);
    }

    [Fact]
    public async Task LingeringConnectionsCountAgainstTheConnectionLimitUntilTheirTimeout()
    {
        await using LoopbackServer server = LoopbackServer.Start(RefusingUploads(), new HttpLimits { MaxConnections = 2, LingerTimeout = TimeSpan.FromSeconds(2) });
        using RawClient first = await RawClient.ConnectAsync(server.Port);
        using RawClient second = await RawClient.ConnectAsync(server.Port);
        foreach (RawClient lingering in new[] { first, second })
        {
            // Answered, and then neither sending nor closing: only the bound ends them.
            await lingering.SendAsync(Upload(1L << 40));
            AssertRefused(await lingering.ReadResponseAsync());
        }

        using (RawClient refused = await RawClient.ConnectAsync(server.Port))
        {
            Assert.Equal(503, (await refused.ReadResponseAsync()).Status);
        }

        await WaitUntil(() => server.Server.ConnectionCount == 0);
        using RawClient served = await RawClient.ConnectAsync(server.Port);
        await served.SendAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.Equal(200, (await served.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task SmallBodyOfAnEarlyAnswerIsDrainedAndTheConnectionServesTheNextRequest()
    {
        RecordingApplication app = RefusingUploads();
        await using LoopbackServer server = LoopbackServer.Start(app);
        using RawClient client = await RawClient.ConnectAsync(server.Port);

        // The answer comes before the body is sent; the body follows, then the next request.
        await client.SendAsync(Upload(100_000));
        RawResponse refused = await client.ReadResponseAsync();
        AssertRefused(refused, close: false);
        await client.SendAsync(new byte[100_000]);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal(2, app.Requests.Count);
        Assert.Equal(1, server.Server.ConnectionCount);
    }

    private static string Upload(long contentLength) => $"PUT /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {contentLength}\r\n\r\n";

    /// <summary>Answers every PUT 403 without reading its body, as an S3 server refusing an upload's credentials or key does.</summary>
    private static RecordingApplication RefusingUploads() => new()
    {
        ReadBody = false,
        Respond = (request, response) =>
        {
            response.StatusCode = request.Method == HttpMethod.Put ? 403 : 200;
            response.ContentLength = 7;
            response.Write(request.Method == HttpMethod.Put ? "refused"u8 : "served!"u8);
            return ValueTask.CompletedTask;
        },
    };

    private static void AssertRefused(RawResponse response, bool close = true)
    {
        Assert.Equal(403, response.Status);
        Assert.Equal("refused", response.BodyText);
        Assert.Equal(close, response.Headers.TryGetValue("Connection", out string? connection) && connection == "close");
    }

    /// <summary>What one read returns: 0 at an orderly end of the stream; a reset throws.</summary>
    private static async Task<int> ReadOneAsync(RawClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await client.Stream.ReadAsync(new byte[1], timeout.Token);
    }

    /// <summary>
    /// Writes <paramref name="block"/> every <paramref name="interval"/> until a write fails (the
    /// server closed) or 60 s pass; returns when by <paramref name="clock"/>, and the bytes written.
    /// </summary>
    private static Task<(TimeSpan At, long Sent)> SendUntilCutAsync(RawClient client, byte[] block, TimeSpan interval, Stopwatch clock) => Task.Run(async () =>
    {
        long sent = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                await client.Stream.WriteAsync(block);
            }
            catch (IOException)
            {
                return (clock.Elapsed, sent);
            }

            sent += block.Length;
            await Task.Delay(interval);
        }

        throw new TimeoutException($"still sending after {sent} bytes");
    });
}
