using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using Xunit.Abstractions;

namespace FastS3.Tests;

/// <summary>Attacks measure the server's memory and a normal client's latency: nothing else may run beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
[Trait("Store", "Disk")]
public sealed class AttackCollection
{
    public const string Name = "Attacks";
}

/// <summary>
/// A thousand hostile connections against the real server, one kind at a time: heads trickled a
/// byte at a time (plain and TLS), bodies that stall or trickle, GETs whose responses are never
/// read; and a server full to its connection limit. Each attack must be cut by its limit, with
/// every attacker answered (S3's 400 RequestTimeout) or hung up on; the server's memory must stay
/// bounded (VmRSS and descriptors are sampled while all are held, printed, and held to a bound a
/// connection); uploads must leave
/// nothing on disk; and a normal client must be served all along (its latencies printed, and
/// bounded). The default run uses 5-second limits and a byte a second; the Soak variants use the
/// server's own 30-second limits and a byte every 5 seconds: FASTS3_SOAK=1 dotnet test -c Release
/// tests/FastS3.Tests --filter "FullyQualifiedName~HostileClientTests&amp;FullyQualifiedName~DefaultLimits".
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class HostileClientTests(ITestOutputHelper output)
{
    private const int Attackers = 1000;
    private const string Bucket = "bucket";
    private const int DefaultLimitSeconds = 30;

    /// <summary>
    /// How long a normal request may take while the server is under attack. Generous: on two busy
    /// cores a GET can wait seconds for a turn; that the client is served all along is what the
    /// count of its GETs shows (at least two a second).
    /// </summary>
    private const double NormalLatencyBoundMs = 10_000;

    /// <summary>How late after its limit a cut may come on a busy machine (the lower bounds are the point: never early).</summary>
    private const int LateSeconds = 10;

    private static readonly Pace Short = new(5, TimeSpan.FromSeconds(1));
    private static readonly Pace Long = new(null, TimeSpan.FromSeconds(5));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task ThousandTrickledHeadsAreCutWhileANormalClientIsServed(bool tls) => TrickledHeadsAsync(Short, tls);

    [SoakFact]
    [Trait("Category", "Soak")]
    public Task ThousandTrickledHeadsAtTheDefaultLimits() => TrickledHeadsAsync(Long, tls: true);

    [Fact]
    public Task ThousandStalledOrTrickledBodiesAreCutAndLeaveNothing() => StalledBodiesAsync(Short);

    [SoakFact]
    [Trait("Category", "Soak")]
    public Task ThousandStalledOrTrickledBodiesAtTheDefaultLimits() => StalledBodiesAsync(Long);

    [Fact]
    public Task ThousandUnreadResponsesAreCut() => UnreadResponsesAsync(Short);

    [SoakFact]
    [Trait("Category", "Soak")]
    public Task ThousandUnreadResponsesAtTheDefaultLimits() => UnreadResponsesAsync(Long);

    [Fact]
    public async Task FullServerAnswersSlowDownAtOnceAndRecovers()
    {
        // The holders must all be in before their header deadline cuts the first of them, even on a busy machine.
        await using ServerProcess server = await StartAsync(new Pace(8, TimeSpan.Zero), tls: false, "--max-connections", "100");
        string signed = await PersistentSigner.SignAsync("GET", new Uri(server.BaseUrl, $"/{Bucket}/probe"), null);
        int baseline = await SettledSocketsAsync(server);
        var holders = new RawClient[100];
        for (int i = 0; i < holders.Length; i++)
        {
            holders[i] = await RawClient.ConnectAsync(server.BaseUrl.Port);
        }

        try
        {
            await WaitUntilAsync(() => server.OpenSockets() >= baseline + 100, TimeSpan.FromSeconds(6), () => $"{server.OpenSockets() - baseline} of 100 holders accepted");

            Stopwatch clock;
            RawResponse refused;
            using (RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port))
            {
                clock = Stopwatch.StartNew();
                await client.SendAsync($"GET /{Bucket}/probe HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\n{signed}\r\n");
                refused = await client.ReadResponseAsync(timeoutSeconds: 10);
                clock.Stop();
                Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
            }

            output.WriteLine($"refusal after {clock.Elapsed.TotalMilliseconds:F1} ms: {refused.Describe()}");
            // At once: no handshake, no head to wait for (measured in milliseconds; the bound allows a busy machine).
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"refusal took {clock.Elapsed}");
            Assert.Equal(503, refused.Status);
            Assert.Equal("SlowDown", refused.ErrorCode());
            Assert.Equal("close", refused.Headers["Connection"]);
            Assert.Matches("^[0-9A-F]{16}$", refused.Headers["x-amz-request-id"]);
            Assert.Equal(refused.Headers["x-amz-request-id"], refused.XmlValue("RequestId"));

            // The holders said nothing: the header limit frees their places, and service resumes.
            await WaitUntilAsync(() => server.OpenSockets() <= baseline + 5, TimeSpan.FromSeconds(20), () => $"{server.OpenSockets() - baseline} holders still open");
            RawResponse served = await SignedRequests.SendAsync(server, "GET", $"/{Bucket}/probe", []);
            Assert.Equal(200, served.Status);
            Assert.Contains("refused", server.Log);
        }
        finally
        {
            Array.ForEach(holders, h => h.Dispose());
        }
    }

    /// <summary>Slowloris: a head, then a header byte every interval, never its end.</summary>
    private async Task TrickledHeadsAsync(Pace pace, bool tls)
    {
        await using ServerProcess server = await StartAsync(pace, tls);
        byte[] head = Encoding.ASCII.GetBytes($"GET /{Bucket}/probe HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nX-Slow: ");
        Closure[] closures = await AttackAsync(server, $"trickled heads ({(tls ? "TLS" : "plain")})", pace, _ => head, dribble: (byte)'a');
        int limit = pace.LimitSeconds ?? DefaultLimitSeconds;
        AssertAnsweredWithin(closures, "RequestTimeout", limit - 1, limit + LateSeconds);
    }

    /// <summary>
    /// Signed PUTs of an 8 MiB object: half send 64 KiB and stall (cut by the body limit), half
    /// trickle a byte every interval (every read well within the limit, cut by the minimum rate).
    /// </summary>
    private async Task StalledBodiesAsync(Pace pace)
    {
        await using ServerProcess server = await StartAsync(pace, tls: false);
        string signed = await PersistentSigner.SignAsync("PUT", new Uri(server.BaseUrl, $"/{Bucket}/stalled"), null);
        byte[] head = Encoding.ASCII.GetBytes($"PUT /{Bucket}/stalled HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: {8 << 20}\r\n{signed}\r\n");
        byte[] stalled = [.. head, .. RandomNumberGenerator.GetBytes(64 * 1024)];
        StoredData stored = StoredData.OnDisk(server.DataDir);
        int filesHeld = 0;
        int alive = 0;
        Closure[] closures = await AttackAsync(
            server, "stalled and trickled bodies", pace, i => i % 2 == 0 ? stalled : head, dribble: (byte)'x', dribbles: i => i % 2 == 1,
            descriptorsEach: 2, sample: held => (filesHeld, alive) = (stored.UnfinishedWrites().Count, held));
        output.WriteLine($"temporary data files while held: {filesHeld}");

        // Stalled: the body limit. Trickled: the minimum rate, once its 5 s grace has passed.
        int limit = pace.LimitSeconds ?? DefaultLimitSeconds;
        AssertAnsweredWithin(closures.Where((_, i) => i % 2 == 0).ToArray(), "RequestTimeout", limit - 1, limit + LateSeconds);
        AssertAnsweredWithin(closures.Where((_, i) => i % 2 == 1).ToArray(), "RequestTimeout", 4, 5 + LateSeconds + pace.Interval.TotalSeconds);
        Assert.InRange(filesHeld, alive * 9 / 10, Attackers);
        await WaitUntilAsync(() => stored.UnfinishedWrites().Count == 0, TimeSpan.FromSeconds(10));
        Assert.Equal(0, stored.DataItemCount(Bucket));
        Assert.Equal(404, (await SignedRequests.SendAsync(server, "HEAD", $"/{Bucket}/stalled", [])).Status);
    }

    /// <summary>GETs of an 8 MiB object into a 4 KiB receive window that is never read: the server's writes stall.</summary>
    private async Task UnreadResponsesAsync(Pace pace)
    {
        await using ServerProcess server = await StartAsync(pace, tls: false);
        await RawMultipart.PutObjectAsync(server, Bucket, "big", RandomNumberGenerator.GetBytes(8 << 20));
        string signed = await PersistentSigner.SignAsync("GET", new Uri(server.BaseUrl, $"/{Bucket}/big"), null);
        byte[] request = Encoding.ASCII.GetBytes($"GET /{Bucket}/big HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\n{signed}\r\n");

        // Reading would drain the response: the server's own descriptors tell when it let go.
        // Each holds a response's pipe buffers (up to the 512 KiB queued in the kernel is not RSS).
        Closure[] closures = await AttackAsync(server, "unread responses", pace, _ => request, dribble: null, descriptorsEach: 2, receiveBufferSize: 4096, read: false, rssEachKiB: 1024);
        Assert.All(closures, c => Assert.True(c.After is not null, "the server kept a connection whose client never read"));
        int limit = pace.LimitSeconds ?? DefaultLimitSeconds;
        Assert.InRange(closures.Max(c => c.After!.Value.TotalSeconds), limit - 1, limit + LateSeconds);
    }

    /// <summary>
    /// Opens <see cref="Attackers"/> connections, a hundred at a time (the listen backlog is 512),
    /// each sending its <paramref name="begin"/> bytes at once, then one <paramref name="dribble"/>
    /// byte every interval (to those <paramref name="dribbles"/> picks, by default all), while a
    /// normal client keeps fetching the probe object; samples the server once all are held, when
    /// it should hold <paramref name="descriptorsEach"/> descriptors an attacker; returns when every
    /// attacker has been hung up on. With <paramref name="read"/> false the attackers never read,
    /// and the server's descriptor count tells when it let them go.
    /// </summary>
    private async Task<Closure[]> AttackAsync(
        ServerProcess server, string name, Pace pace, Func<int, byte[]> begin, byte? dribble, Func<int, bool>? dribbles = null,
        int descriptorsEach = 1, int receiveBufferSize = 0, bool read = true, Action<int>? sample = null, int rssEachKiB = 256)
    {
        int limit = pace.LimitSeconds ?? DefaultLimitSeconds;
        TimeSpan within = TimeSpan.FromSeconds(limit + LateSeconds + 5);
        bool tls = server.BaseUrl.Scheme == "https";
        int baselineDescriptors = server.OpenDescriptors();
        long baselineRss = server.ResidentBytes();
        long baselineTcp = KernelTcpBytes();

        var clock = new Stopwatch();
        using var stopNormal = new CancellationTokenSource();
        Task<List<(double Ms, double At)>> normal = NormalClientAsync(server, clock, stopNormal.Token);
        await Task.Delay(500);

        clock.Start();
        var attackers = new RawClient[Attackers];
        var closed = new Task<Closure>[Attackers];
        var connectedAt = new TimeSpan[Attackers];
        try
        {
            async Task OpenAsync(int i)
            {
                var opened = Stopwatch.StartNew();
                connectedAt[i] = clock.Elapsed;
                attackers[i] = await RawClient.ConnectAsync(server.BaseUrl.Port, tls, receiveBufferSize);
                await attackers[i].SendAsync(begin(i));
                closed[i] = read ? ReadUntilClosedAsync(attackers[i], opened, within) : Task.FromResult(new Closure("", null));
            }

            for (int start = 0; start < Attackers; start += 100)
            {
                await Task.WhenAll(Enumerable.Range(start, Math.Min(100, Attackers - start)).Select(OpenAsync));
            }

            TimeSpan connected = clock.Elapsed;
            using var stopDribble = new CancellationTokenSource();
            Task dribbling = dribble is byte value ? DribbleAsync(attackers, closed, dribbles ?? (_ => true), value, pace.Interval, stopDribble.Token) : Task.CompletedTask;

            // All held: sample the server once it holds what every attacker costs it. Polled, since a
            // busy machine may take a while to reach the last of them (an unread GET opens its data
            // file late), but only until the first attacker could be cut. It waits until at most a
            // tenth of the attackers lack one descriptor, so that a sample of one kind of them (the
            // upload's temporary files) sees nine in ten, as asserted: 90 % of all descriptors
            // would let a fifth of the files be missing.
            int allIn = (Attackers * descriptorsEach) - (Attackers / 10);
            TimeSpan sampleBy = TimeSpan.FromSeconds(limit - 0.5);
            int heldDescriptors;
            do
            {
                await Task.Delay(100);
                heldDescriptors = server.OpenDescriptors() - baselineDescriptors;
            }
            while (heldDescriptors < allIn && clock.Elapsed < sampleBy);

            // On a machine busy enough that opening them all outlasts the limit, the first are cut
            // before the last connect: only those connected within the limit before the sample
            // must still be held (every one, when opening took less than the limit).
            TimeSpan sampledAt = clock.Elapsed;
            int alive = connectedAt.Count(at => sampledAt - at < TimeSpan.FromSeconds(limit - 1));
            Assert.True(alive >= Attackers / 4, $"only {alive} of {Attackers} attackers connected within {limit - 1} s of the sample: the machine is too busy to hold the attack");
            int expectedDescriptors = alive * descriptorsEach * 9 / 10;
            long heldRss = server.ResidentBytes();
            long heldTcp = KernelTcpBytes();
            sample?.Invoke(alive);

            Closure[] closures;
            if (read)
            {
                closures = await Task.WhenAll(closed);
            }
            else
            {
                await WaitUntilAsync(() => server.OpenDescriptors() <= baselineDescriptors + 5, within);
                closures = Enumerable.Repeat(new Closure("", clock.Elapsed), Attackers).ToArray();
            }

            TimeSpan allCut = clock.Elapsed;
            await stopDribble.CancelAsync();
            await dribbling;
            await Task.Delay(500);
            await stopNormal.CancelAsync();
            List<(double Ms, double At)> requests = await normal;
            double[] latencies = requests.Select(r => r.Ms).Order().ToArray();
            (double slowest, double slowestAt) = requests.MaxBy(r => r.Ms);
            output.WriteLine($"{name}: {Attackers} connections opened in {connected.TotalSeconds:F1} s, all cut {allCut.TotalSeconds:F1} s after the first (limit {limit} s)");
            output.WriteLine($"  while held: {alive} attackers connected within the limit, {heldDescriptors} more descriptors, VmRSS {Mib(heldRss)} MiB (idle {Mib(baselineRss)} MiB, {(heldRss - baselineRss) / Attackers / 1024} KiB a connection); peak VmHWM {Mib(server.PeakResidentBytes())} MiB");
            output.WriteLine($"  kernel TCP buffers, whole host: {Mib(baselineTcp)} MiB before, {Mib(heldTcp)} MiB while held");
            output.WriteLine($"  normal client: {latencies.Length} GETs, median {latencies[latencies.Length / 2]:F1} ms, p99 {latencies[latencies.Length * 99 / 100]:F1} ms, max {slowest:F1} ms (sent {slowestAt:F1} s after the first attacker)");
            Assert.InRange(heldDescriptors, expectedDescriptors, (Attackers * descriptorsEach) + 50);
            int held = Math.Max(alive, heldDescriptors / descriptorsEach);
            Assert.True(heldRss - baselineRss <= (long)rssEachKiB * 1024 * held, $"{(heldRss - baselineRss) / held / 1024} KiB each of {held} held connections (bound {rssEachKiB} KiB)");
            Assert.True(slowest < NormalLatencyBoundMs, $"a normal GET took {slowest:F0} ms");
            Assert.True(latencies.Length >= allCut.TotalSeconds * 2, $"only {latencies.Length} normal GETs in {allCut.TotalSeconds:F0} s");
            return closures;
        }
        finally
        {
            await stopNormal.CancelAsync();
            Array.ForEach(attackers, a => a?.Dispose());
        }
    }

    /// <summary>Every attacker got S3's <paramref name="code"/>, then the close, between <paramref name="from"/> and <paramref name="to"/> seconds after it connected.</summary>
    private static void AssertAnsweredWithin(Closure[] closures, string code, double from, double to)
    {
        Assert.All(closures, c =>
        {
            Assert.True(c.After is not null, "an attacker was never hung up on");
            Assert.StartsWith("HTTP/1.1 400 ", c.Received);
            Assert.Contains($"<Code>{code}</Code>", c.Received);
            Assert.Matches("x-amz-request-id: [0-9A-F]{16}\r\n", c.Received);
            Assert.Contains("Connection: close\r\n", c.Received);
            Assert.InRange(c.After!.Value.TotalSeconds, from, to);
        });
    }

    private static async Task<ServerProcess> StartAsync(Pace pace, bool tls, params string[] extraArguments)
    {
        string[] limits = pace.LimitSeconds is int seconds
            ? ["--header-timeout", $"{seconds}", "--body-timeout", $"{seconds}", "--write-timeout", $"{seconds}"]
            : [];
        ServerProcess server = await ServerProcess.StartAsync(tls: tls, extraArguments: [.. limits, .. extraArguments]);
        await RawMultipart.CreateBucketAsync(server, Bucket);
        await RawMultipart.PutObjectAsync(server, Bucket, "probe", RandomNumberGenerator.GetBytes(4096));
        return server;
    }

    /// <summary>
    /// A client minding its own business: a signed GET of the probe, each on a new connection, every
    /// 100 ms until stopped. Returns each one's latency and when it was sent by <paramref name="attack"/>.
    /// </summary>
    private static async Task<List<(double Ms, double At)>> NormalClientAsync(ServerProcess server, Stopwatch attack, CancellationToken stop)
    {
        bool tls = server.BaseUrl.Scheme == "https";
        string signed = await PersistentSigner.SignAsync("GET", new Uri(server.BaseUrl, $"/{Bucket}/probe"), null);
        byte[] request = Encoding.ASCII.GetBytes($"GET /{Bucket}/probe HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\n{signed}\r\n");
        var latencies = new List<(double, double)>();
        while (!stop.IsCancellationRequested && latencies.Count < 100_000)
        {
            double at = attack.Elapsed.TotalSeconds;
            var clock = Stopwatch.StartNew();
            using (RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls))
            {
                await client.SendAsync(request);
                RawResponse response = await client.ReadResponseAsync(timeoutSeconds: 10);
                Assert.True(response.Status == 200, response.Describe());
                Assert.Equal(4096, response.Body.Length);
            }

            latencies.Add((clock.Elapsed.TotalMilliseconds, at));
            await Task.Delay(100, CancellationToken.None);
        }

        return latencies;
    }

    /// <summary>One more byte to every attacker <paramref name="dribbles"/> picks and not yet hung up on, every <paramref name="interval"/>.</summary>
    private static Task DribbleAsync(RawClient[] attackers, Task<Closure>[] closed, Func<int, bool> dribbles, byte value, TimeSpan interval, CancellationToken stop) => Task.Run(async () =>
    {
        byte[] one = [value];
        for (int round = 0; round < 1000 && !stop.IsCancellationRequested; round++)
        {
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            for (int i = 0; i < attackers.Length; i++)
            {
                if (!dribbles(i) || closed[i].IsCompleted)
                {
                    continue;
                }

                try
                {
                    await attackers[i].SendAsync(one);
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException)
                {
                    // Hung up on: its reader sees the same.
                }
            }
        }
    }, CancellationToken.None); // the loop watches stop itself, so the task always ends normally

    /// <summary>What an attacker received until the server closed on it, and when by <paramref name="clock"/> (null: still open after <paramref name="within"/>).</summary>
    private static async Task<Closure> ReadUntilClosedAsync(RawClient client, Stopwatch clock, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        using var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while (received.Length < 64 * 1024 && (read = await client.Stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
            return new Closure(Encoding.Latin1.GetString(received.ToArray()), null);
        }
        catch (IOException)
        {
            // A reset after the answer: closed all the same.
        }

        return new Closure(Encoding.Latin1.GetString(received.ToArray()), clock.Elapsed);
    }

    /// <summary>The server's socket count once the set-up requests' connections are gone (it closes them as it sees their end).</summary>
    private static async Task<int> SettledSocketsAsync(ServerProcess server)
    {
        int settled = server.OpenSockets();
        for (int same = 0, polls = 0; same < 3 && polls < 50; polls++)
        {
            await Task.Delay(100);
            int now = server.OpenSockets();
            same = now == settled ? same + 1 : 0;
            settled = now;
        }

        return settled;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan within, Func<string>? state = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < within, $"condition not met in {within.TotalSeconds} s{(state is null ? "" : ": " + state())}");
            await Task.Delay(50);
        }
    }

    private static long Mib(long bytes) => bytes / (1024 * 1024);

    /// <summary>Memory in every TCP socket buffer of the host (the "mem" pages of /proc/net/sockstat).</summary>
    private static long KernelTcpBytes()
    {
        string[] fields = File.ReadLines("/proc/net/sockstat").First(l => l.StartsWith("TCP:", StringComparison.Ordinal)).Split(' ');
        return long.Parse(fields[Array.IndexOf(fields, "mem") + 1]) * Environment.SystemPageSize;
    }

    /// <summary>The limit given to the server (null: its defaults), and how often attackers send their next byte.</summary>
    private sealed record Pace(int? LimitSeconds, TimeSpan Interval);

    private sealed record Closure(string Received, TimeSpan? After);
}
