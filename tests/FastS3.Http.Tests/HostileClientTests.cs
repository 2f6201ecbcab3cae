using System.Diagnostics;
using System.Security.Authentication;
using System.Text;
using FastS3.Http.Tests.Infrastructure;
using FastS3.Testing;
using static FastS3.Http.Tests.Infrastructure.Eventually;

namespace FastS3.Http.Tests;

/// <summary>
/// Clients that hold a connection without finishing anything (silent connects, trickled heads,
/// trickled bodies, a full server) against short limits on real loopback sockets, and the
/// application's say in the answers the transport gives by itself.
/// </summary>
public class HostileClientTests
{
    private const string Get = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    [Fact]
    public async Task SilentConnectionIsClosedAtTheHeaderDeadline()
    {
        // The idle timeout is long: a connection that never spoke must not be kept for it.
        await using LoopbackServer server = LoopbackServer.Start(new RecordingApplication(), new HttpLimits { RequestHeadersTimeout = TimeSpan.FromSeconds(2) });
        var clock = Stopwatch.StartNew();
        using RawClient client = await RawClient.ConnectAsync(server.Port);

        // Closed without a 408: there is no request to answer. Never early; late only by how busy the machine is.
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 9);
        await WaitUntil(() => server.Server.ConnectionCount == 0);
    }

    [Fact]
    public async Task TrickledTlsHandshakeIsCutAtItsDeadline()
    {
        await using LoopbackServer server = LoopbackServer.Start(new RecordingApplication(), new HttpLimits { TlsHandshakeTimeout = TimeSpan.FromSeconds(2) }, tls: true);
        using var tcp = new System.Net.Sockets.TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", server.Port);
        var clock = Stopwatch.StartNew();

        // A handshake record announcing 512 bytes, sent a byte at a time: it never completes.
        byte[] record = new byte[30];
        new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 }.CopyTo(record, 0);
        using var stop = new CancellationTokenSource();
        Task dribble = Task.Run(async () =>
        {
            try
            {
                for (int i = 0; i < record.Length && !stop.IsCancellationRequested; i++)
                {
                    await tcp.GetStream().WriteAsync(record.AsMemory(i, 1));
                    await Task.Delay(300);
                }
            }
            catch (IOException)
            {
                // Hung up on.
            }
        });

        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        try
        {
            Assert.Equal(0, await tcp.GetStream().ReadAsync(one, timeout.Token));
        }
        catch (IOException)
        {
            // A reset is a hang-up too.
        }

        // Never early; late by at most what a busy machine adds, and before the trickle (9 s) would finish.
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 7.5);
        await stop.CancelAsync();
        await dribble;
        await WaitUntil(() => server.Server.ConnectionCount == 0);
    }

    [Fact]
    public async Task AnsweringAPipelinedRequestDoesNotExtendTheHeaderDeadline()
    {
        await using LoopbackServer server = LoopbackServer.Start(new RecordingApplication(), new HttpLimits { RequestHeadersTimeout = TimeSpan.FromSeconds(2) });
        using RawClient client = await RawClient.ConnectAsync(server.Port);

        // The first answer is flushed while the second head is incomplete; the flush must not
        // leave the second head without its deadline.
        await client.SendAsync(Get + "GET / HTTP/1.1\r\nHost: 127");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        var clock = Stopwatch.StartNew();
        Task dribble = DribbleAsync(client, ".0.0.1\r\nX-Slow: 1234567890", TimeSpan.FromMilliseconds(300));

        RawResponse response = await client.ReadResponseAsync(timeoutSeconds: 10);
        Assert.Equal(408, response.Status);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.5, 7);
        await dribble;
    }

    [Fact]
    public async Task TrickledBodyIsCutByTheMinimumRate()
    {
        // Every byte comes well within the per-read timeout; only the average gives it away.
        var app = new RecordingApplication();
        var limits = new HttpLimits { BodyReadTimeout = TimeSpan.FromSeconds(30), MinRequestBodyDataRate = new MinDataRate(100, TimeSpan.FromSeconds(2)) };
        await using LoopbackServer server = LoopbackServer.Start(app, limits);
        using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync("PUT /o HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n");
        var clock = Stopwatch.StartNew();
        Task dribble = DribbleAsync(client, new string('x', 40), TimeSpan.FromMilliseconds(250));

        RawResponse response = await client.ReadResponseAsync(timeoutSeconds: 10);
        Assert.Equal(408, response.Status);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 8);
        Assert.Equal(RequestRejectionReason.RequestBodyTimeout, ((BadHttpRequestException)Assert.Single(app.Requests).BodyError!).Reason);
        await dribble;
    }

    [Fact]
    public async Task BodyAboveTheMinimumRateIsServed()
    {
        var app = new RecordingApplication();
        await using LoopbackServer server = LoopbackServer.Start(app, new HttpLimits { MinRequestBodyDataRate = new MinDataRate(100, TimeSpan.FromSeconds(1)) });
        using RawClient client = await RawClient.ConnectAsync(server.Port);

        // 500 B/s for three seconds: slow, but five times the minimum.
        await client.SendAsync("PUT /o HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1500\r\n\r\n");
        for (int i = 0; i < 30; i++)
        {
            await client.SendAsync(new string('x', 50));
            await Task.Delay(100);
        }

        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal(1500, Assert.Single(app.Requests).Body.Length);
    }

    [Fact]
    public async Task TimeTheApplicationSpendsIsNotChargedToTheClient()
    {
        var secondHalfAwaited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var app = new RecordingApplication
        {
            ReadBody = false,
            Respond = async (request, response) =>
            {
                long total = 0;
                while (total < 200)
                {
                    total += (await request.Body.ReadAsync()).Length;
                }

                // Busy elsewhere (a disk, say) for longer than the grace period.
                await Task.Delay(4000);
                secondHalfAwaited.SetResult();
                while (!(await request.Body.ReadAsync()).IsEmpty)
                {
                }

                response.ContentLength = 0;
            },
        };
        await using LoopbackServer server = LoopbackServer.Start(app, new HttpLimits { MinRequestBodyDataRate = new MinDataRate(100, TimeSpan.FromSeconds(1)) });
        using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync("PUT /o HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 400\r\n\r\n" + new string('x', 200));

        // 200 bytes over 5 s of wall clock is below 100 B/s, but over the 1 s the server actually
        // waited it is twice that: a second of scheduling delay on a busy machine still passes.
        await secondHalfAwaited.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(1000);
        await client.SendAsync(new string('x', 200));
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task ConnectionBeyondTheLimitGetsTheApplicationsRefusalAtOnce()
    {
        var app = new RecordingApplication
        {
            TransportError = (_, response, reason) =>
            {
                response.Headers.Add("X-Reason"u8, Encoding.ASCII.GetBytes(reason.ToString()!));
                response.ContentLength = 4;
                response.Write("full"u8);
            },
        };
        await using LoopbackServer server = LoopbackServer.Start(app, new HttpLimits { MaxConnections = 10 });
        var holders = new List<RawClient>();
        for (int i = 0; i < 10; i++)
        {
            holders.Add(await RawClient.ConnectAsync(server.Port));
        }

        await WaitUntil(() => server.Server.ConnectionCount == 10);
        try
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                using RawClient refused = await RawClient.ConnectAsync(server.Port);
                var clock = Stopwatch.StartNew();
                await refused.SendAsync(Get);
                RawResponse response = await refused.ReadResponseAsync(timeoutSeconds: 5);
                Assert.Equal(503, response.Status);
                Assert.Equal("close", response.Headers["Connection"]);
                Assert.Equal("ConnectionLimit", response.Headers["X-Reason"]);
                Assert.Equal("full", response.BodyText);
                // At once (milliseconds, measured); the bound allows a busy machine.
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"refusal took {clock.Elapsed}");
                Assert.True(await refused.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
            }

            Assert.Equal(10, server.Server.ConnectionCount);
            holders[0].Dispose();
            await WaitUntil(() => server.Server.ConnectionCount == 9);
            using RawClient served = await RawClient.ConnectAsync(server.Port);
            await served.SendAsync(Get);
            Assert.Equal(200, (await served.ReadResponseAsync()).Status);
        }
        finally
        {
            holders.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public async Task ConnectionBeyondTheLimitIsClosedAtOnceOverTls()
    {
        await using LoopbackServer server = LoopbackServer.Start(new RecordingApplication(), new HttpLimits { MaxConnections = 5 }, tls: true);
        var holders = new List<RawClient>();
        for (int i = 0; i < 5; i++)
        {
            holders.Add(await RawClient.ConnectAsync(server.Port, tls: true));
        }

        try
        {
            await WaitUntil(() => server.Server.ConnectionCount == 5);
            var clock = Stopwatch.StartNew();
            Exception error = await Assert.ThrowsAnyAsync<Exception>(() => RawClient.ConnectAsync(server.Port, tls: true));
            Assert.True(error is IOException or AuthenticationException, error.ToString());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"refusal took {clock.Elapsed}");
        }
        finally
        {
            holders.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public async Task ClientThatStopsReadingPinsLittleKernelMemory()
    {
        var app = new RecordingApplication
        {
            Respond = async (_, response) =>
            {
                response.ContentLength = 64L << 20;
                var block = new byte[256 * 1024];
                for (int i = 0; i < 256; i++)
                {
                    response.Write(block);
                    await response.FlushAsync();
                }
            },
        };
        await using LoopbackServer server = LoopbackServer.Start(app, new HttpLimits { MaxUnsentBytes = 256 * 1024, ResponseWriteTimeout = TimeSpan.FromSeconds(30) });
        using RawClient client = await RawClient.ConnectAsync(server.Port, receiveBufferSize: 4096);
        await client.SendAsync(Get);
        await Task.Delay(1000);

        // Unacknowledged plus unsent bytes of the server's socket: without the limit, over
        // loopback, the whole 2.5 MiB send buffer fills at once.
        long queued = ServerSendQueue(server.Port);
        Assert.InRange(queued, 1, (256 + 128) * 1024);
    }

    [Theory]
    [InlineData("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "InvalidRequestLine", "")]
    [InlineData("PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", 400, "InvalidContentLength", "/b/k")]
    [InlineData("GET /b/k HTTP/1.1\r\nHost: x\r\nX-Big: 12345678901234567890123456789012345678901234567890\r\n\r\n", 431, "HeadersTooLarge", "")]
    [InlineData("PUT /b/k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "UnsupportedTransferCoding", "/b/k")]
    [InlineData("PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nab", 400, "UnexpectedEndOfRequestContent", "/b/k")]
    [InlineData("GET /fail HTTP/1.1\r\nHost: x\r\n\r\n", 500, "", "/fail")]
    public async Task TransportErrorsAreShapedByTheApplication(string request, int status, string reason, string path)
    {
        var seen = new List<string>();
        var app = new RecordingApplication
        {
            Respond = (_, _) => throw new InvalidOperationException("boom"),
            TransportError = (request, response, reason) =>
            {
                seen.Add($"{response.StatusCode} {reason} {Encoding.ASCII.GetString(request.Path)}");
                response.StatusCode = 400;
                response.Headers.Add("X-Shaped"u8, "yes"u8);
                response.ContentLength = 5;
                response.Write("error"u8);
            },
        };
        string raw = await InMemoryConnection.RunAsync(app, request, new HttpLimits { MaxRequestHeadersTotalSize = 64 });
        Assert.Equal([$"{status} {reason} {path}"], seen);
        Assert.Equal(400, RawResponses.Status(raw));
        Assert.Contains("X-Shaped: yes\r\n", raw);
        Assert.Contains("Connection: close\r\n", raw);
        Assert.EndsWith("\r\n\r\nerror", raw);
    }

    [Fact]
    public async Task FailingShaperLeavesTheBareStatus()
    {
        var app = new RecordingApplication { TransportError = (_, _, _) => throw new InvalidOperationException("boom") };
        string raw = await InMemoryConnection.RunAsync(app, "G(T / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(400, RawResponses.Status(raw));
        Assert.Contains("Content-Length: 0\r\n", raw);
    }

    /// <summary>The tx_queue of the server's one established connection on <paramref name="port"/>, from /proc/net/tcp.</summary>
    private static long ServerSendQueue(int port)
    {
        string local = $":{port:X4} ";
        string line = Assert.Single(File.ReadLines("/proc/net/tcp"), l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, string address, _, "01", ..] && (address + " ").EndsWith(local, StringComparison.Ordinal));
        string queues = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        return Convert.ToInt64(queues[..queues.IndexOf(':')], 16);
    }

    /// <summary>Sends <paramref name="text"/> a byte at a time until done or the server hangs up.</summary>
    private static Task DribbleAsync(RawClient client, string text, TimeSpan interval) => Task.Run(async () =>
    {
        try
        {
            foreach (char c in text)
            {
                await client.SendAsync(c.ToString());
                await Task.Delay(interval);
            }
        }
        catch (IOException)
        {
            // The server hung up, as it should.
        }
    });
}
