using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using FastS3.Http.Tests.Infrastructure;
using FastS3.Testing;
using static FastS3.Http.Tests.Infrastructure.Eventually;

namespace FastS3.Http.Tests;

/// <summary>Keep-alive, 100-continue, timeouts and shutdown over real loopback sockets.</summary>
public class ConnectionTests
{
    private const string Get = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task KeepAliveConnectionServesManyRequests(bool tls)
    {
        var app = new RecordingApplication();
        await using LoopbackServer server = LoopbackServer.Start(app, tls: tls);
        using RawClient client = await RawClient.ConnectAsync(server.Port, tls);

        for (int i = 0; i < 20; i++)
        {
            await client.SendAsync($"GET /{i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawResponse response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal("ok", response.BodyText);
            Assert.False(response.Headers.ContainsKey("Connection"));
        }

        Assert.Equal(1, server.Server.ConnectionCount);
        Assert.All(app.Requests, r => Assert.Equal(tls, r.IsTls));
    }

    [Theory]
    [InlineData("GET / HTT")]
    [InlineData("\r\n")]
    public async Task AnswerIsNotHeldBackByAnIncompletePipelinedRequest(string incomplete)
    {
        await using LoopbackServer server = LoopbackServer.Start(new RecordingApplication());
        using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(Get + incomplete);
        Assert.Equal(200, (await client.ReadResponseAsync(timeoutSeconds: 3)).Status);
    }

    [Fact]
    public async Task ContinueIsSentWhenTheBodyIsRead()
    {
        var app = new RecordingApplication();
        await using LoopbackServer server = LoopbackServer.Start(app);
        using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync("PUT /o HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        Assert.Equal(100, (await client.ReadResponseAsync(timeoutSeconds: 5)).Status);
        await client.SendAsync("hello");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal("hello", Encoding.ASCII.GetString(Assert.Single(app.Requests).Body));

        // Keep-alive survives: the body was read completely.
        await client.SendAsync(Get);
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task NoContinueWhenTheApplicationAnswersWithoutReadingTheBody()
    {
        var app = new RecordingApplication
        {
            ReadBody = false,
            Respond = (_, response) =>
            {
                response.StatusCode = 403;
                response.ContentLength = 0;
                return ValueTask.CompletedTask;
            },
        };
        await using LoopbackServer server = LoopbackServer.Start(app);
        using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync("PUT /o HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 5000000\r\n\r\n");
        RawResponse response = await client.ReadResponseAsync(timeoutSeconds: 5);
        Assert.Equal(403, response.Status);
        Assert.Equal("close", response.Headers["Connection"]);
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task SlowHeadersAreTimedOutWith408()
    {
        await using LoopbackServer server = LoopbackServer.Start(new RecordingApplication(), new HttpLimits { RequestHeadersTimeout = TimeSpan.FromSeconds(2) });
        using RawClient client = await RawClient.ConnectAsync(server.Port);

        // A byte every 300 ms keeps the socket busy but must not extend the deadline.
        var clock = Stopwatch.StartNew();
        var dribble = Task.Run(async () =>
        {
            try
            {
                foreach (char c in "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1234567890")
                {
                    await client.SendAsync(c.ToString());
                    await Task.Delay(300);
                }
            }
            catch (IOException)
            {
                // The server hung up on us, as it should.
            }
        });

        RawResponse response = await client.ReadResponseAsync(timeoutSeconds: 10);
        Assert.Equal(408, response.Status);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 9);
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        await dribble;
    }

    [Fact]
    public async Task IdleKeepAliveConnectionsAreClosed()
    {
        await using LoopbackServer server = LoopbackServer.Start(new RecordingApplication(), new HttpLimits { KeepAliveTimeout = TimeSpan.FromSeconds(2) });
        using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(Get);
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        var clock = Stopwatch.StartNew();
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 9);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StalledBodyIsTimedOutWith408(bool tls)
    {
        var app = new RecordingApplication();
        await using LoopbackServer server = LoopbackServer.Start(app, new HttpLimits { BodyReadTimeout = TimeSpan.FromSeconds(2) }, tls);
        using RawClient client = await RawClient.ConnectAsync(server.Port, tls);
        await client.SendAsync("PUT /o HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nonly ten b");

        // The read is woken rather than the socket cut, so the client still learns why.
        var clock = Stopwatch.StartNew();
        RawResponse response = await client.ReadResponseAsync(timeoutSeconds: 10);
        Assert.Equal(408, response.Status);
        Assert.Equal("close", response.Headers["Connection"]);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 9);
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        BadHttpRequestException error = Assert.IsType<BadHttpRequestException>(Assert.Single(app.Requests).BodyError);
        Assert.Equal(RequestRejectionReason.RequestBodyTimeout, error.Reason);
    }

    [Fact]
    public async Task ClientThatNeverReadsIsTimedOut()
    {
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var app = new RecordingApplication
        {
            Respond = async (_, response) =>
            {
                response.ContentLength = 256L * 1024 * 1024;
                try
                {
                    var block = new byte[1024 * 1024];
                    for (int i = 0; i < 256; i++)
                    {
                        response.Write(block);
                        await response.FlushAsync();
                    }
                }
                catch (Exception ex)
                {
                    failed.TrySetResult(ex);
                    throw;
                }
            },
        };
        await using LoopbackServer server = LoopbackServer.Start(app, new HttpLimits { ResponseWriteTimeout = TimeSpan.FromSeconds(2) });
        using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(Get);

        // Never read: the server's flush stalls once the socket buffers fill, then the write times out.
        Exception error = await failed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(error is IOException or ObjectDisposedException or OperationCanceledException, error.ToString());
        await WaitUntil(() => server.Server.ConnectionCount == 0);
    }

    [Fact]
    public async Task StopFinishesInFlightRequestsAndClosesIdleOnes()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var app = new RecordingApplication
        {
            Respond = async (request, response) =>
            {
                if (request.Path.SequenceEqual("/slow"u8))
                {
                    started.SetResult();
                    await release.Task;
                }

                response.ContentLength = 4;
                response.Write("done"u8);
            },
        };
        LoopbackServer server = LoopbackServer.Start(app);
        using RawClient busy = await RawClient.ConnectAsync(server.Port);
        using RawClient idle = await RawClient.ConnectAsync(server.Port);
        await idle.SendAsync(Get);
        Assert.Equal(200, (await idle.ReadResponseAsync()).Status);

        await busy.SendAsync("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Task stop = server.Server.StopAsync();

        Assert.True(await idle.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        Assert.False(stop.IsCompleted);

        release.SetResult();
        RawResponse response = await busy.ReadResponseAsync();
        Assert.Equal("done", response.BodyText);
        Assert.Equal("close", response.Headers["Connection"]);
        await stop.WaitAsync(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAnyAsync<Exception>(() => RawClient.ConnectAsync(server.Port));
    }

    [Fact]
    public async Task ChunkedResponsesAreFramedInPlace()
    {
        byte[] payload = RandomNumberGenerator.GetBytes(300_000);
        var app = new RecordingApplication
        {
            Respond = async (_, response) =>
            {
                // No Content-Length: the transport chunks what BodyWriter is given, in any sizes.
                int sent = 0;
                foreach (int size in new[] { 1, 100, 5000, 70_000, 224_899 })
                {
                    Memory<byte> memory = response.BodyWriter.GetMemory(size);
                    int take = Math.Min(size, memory.Length);
                    payload.AsSpan(sent, take).CopyTo(memory.Span);
                    response.BodyWriter.Advance(take);
                    sent += take;
                    await response.BodyWriter.FlushAsync();
                }

                response.Write(payload.AsSpan(sent));
            },
        };
        await using LoopbackServer server = LoopbackServer.Start(app);
        using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(Get);
        RawResponse response = await client.ReadResponseAsync();
        Assert.Equal("chunked", response.Headers["Transfer-Encoding"]);
        Assert.Equal(payload, response.Body);

        // The terminating chunk left the stream clean for the next request.
        await client.SendAsync(Get);
        Assert.Equal(payload, (await client.ReadResponseAsync()).Body);
    }

    [Fact]
    public async Task HeadResponsesCarryLengthButNoBody()
    {
        var app = new RecordingApplication
        {
            Respond = (request, response) =>
            {
                response.ContentLength = 1234;
                if (request.Method != HttpMethod.Head)
                {
                    response.Write(new byte[1234]);
                }

                return ValueTask.CompletedTask;
            },
        };
        await using LoopbackServer server = LoopbackServer.Start(app);
        using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync("HEAD /o HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        RawResponse head = await client.ReadResponseAsync(head: true);
        Assert.Equal("1234", head.Headers["Content-Length"]);

        await client.SendAsync("GET /o HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.Equal(1234, (await client.ReadResponseAsync()).Body.Length);
    }

    [Fact]
    public async Task ApplicationFailureIs500AndClose()
    {
        var app = new RecordingApplication { Respond = (_, _) => throw new InvalidOperationException("boom") };
        await using LoopbackServer server = LoopbackServer.Start(app);
        using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(Get);
        RawResponse response = await client.ReadResponseAsync();
        Assert.Equal(500, response.Status);
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }
}
