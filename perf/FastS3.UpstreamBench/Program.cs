using System.Diagnostics;
using System.Globalization;
using FastS3.Upstream;
using FastS3.UpstreamBench;

// AWSSDK.S3 beside FastS3.Upstream, one client and one scenario per process (perf/upstream-client.sh
// alternates them and takes medians). Each run prints one RESULT line of name=value pairs.
//   FastS3.UpstreamBench setup                                  the bucket and the 4 KiB objects get/head read
//   FastS3.UpstreamBench small sdk|own get|put|head SECONDS CONCURRENCY
//   FastS3.UpstreamBench large sdk|own put|get MIB             one object, streamed both ways
//   FastS3.UpstreamBench drop                                   the bucket and everything in it
// The endpoint (loopback only), keys and bucket come from S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY,
// S3_CA_FILE (optional) and S3_BUCKET.
const int SmallSize = 4 << 10;
const int SmallObjects = 64;
const int MaxRequestsPerWorker = 1 << 16;
const double WarmUpSeconds = 2;

var options = new UpstreamOptions
{
    Endpoint = new Uri(Setting("S3_ENDPOINT")),
    AccessKey = Setting("S3_ACCESS_KEY"),
    SecretKey = Setting("S3_SECRET_KEY"),
    CaFile = Environment.GetEnvironmentVariable("S3_CA_FILE"),
};
if (!options.Endpoint.IsLoopback)
{
    Console.Error.WriteLine($"{options.Endpoint} is not a loopback address.");
    return 2;
}

string bucket = Setting("S3_BUCKET");
string mode = args.Length > 0 ? args[0] : "";
return mode switch
{
    "setup" when args.Length == 1 => await SetupAsync(),
    "drop" when args.Length == 1 => await DropAsync(),
    "small" when args.Length == 5 && args[2] is "get" or "put" or "head" => await SmallAsync(args[1], args[2], Number(args[3]), Number(args[4])),
    "large" when args.Length == 4 && args[2] is "put" or "get" => await LargeAsync(args[1], args[2], Number(args[3])),
    _ => Usage(),
};

async Task<int> SetupAsync()
{
    using var client = new UpstreamClient(options);
    await client.CreateBucketAsync(bucket);
    byte[] body = new byte[SmallSize];
    new Random(1).NextBytes(body);
    for (int i = 0; i < SmallObjects; i++)
    {
        await client.PutObjectAsync(bucket, SmallKey(i).Utf8, body);
    }

    return 0;
}

async Task<int> DropAsync()
{
    using var client = new UpstreamClient(options);
    for (int round = 0; round < 20; round++)
    {
        ListObjectsPage page = await client.ListObjectsAsync(bucket, new ListObjectsQuery());
        if (page.Objects.Count == 0)
        {
            break;
        }

        await client.DeleteObjectsAsync(bucket, [.. page.Objects.Select(o => o.Key)]);
    }

    await client.DeleteBucketAsync(bucket);
    return 0;
}

// Every worker repeats its request until the deadline; requests started and finished inside the
// measured window count, CPU and allocation are read at the window's edges.
async Task<int> SmallAsync(string which, string operation, int seconds, int concurrency)
{
    using IBenchClient client = Client(which);
    using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(WarmUpSeconds + seconds + 60));
    byte[] body = new byte[SmallSize];
    new Random(2).NextBytes(body);
    long measureStart = Stopwatch.GetTimestamp() + (long)(WarmUpSeconds * Stopwatch.Frequency);
    long measureEnd = measureStart + (long)(seconds * Stopwatch.Frequency);
    var latencies = new List<long>[concurrency];
    int errors = 0;
    var workers = new Task[concurrency];
    for (int w = 0; w < concurrency; w++)
    {
        int id = w;
        latencies[id] = new List<long>(MaxRequestsPerWorker);
        workers[id] = Task.Run(async () =>
        {
            byte[] buffer = new byte[64 << 10];
            ObjectKey key = operation == "put" ? new ObjectKey($"put/{id}") : SmallKey(id % SmallObjects);
            for (int i = 0; i < MaxRequestsPerWorker && Stopwatch.GetTimestamp() < measureEnd; i++)
            {
                long started = Stopwatch.GetTimestamp();
                try
                {
                    await (operation switch
                    {
                        "get" => client.GetAsync(key, buffer, bounded.Token),
                        "put" => client.PutAsync(key, body, bounded.Token),
                        _ => client.HeadAsync(key, bounded.Token),
                    });
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (Interlocked.Increment(ref errors) <= 2)
                    {
                        Console.Error.WriteLine(e.Message);
                    }

                    continue;
                }

                long ended = Stopwatch.GetTimestamp();
                if (started >= measureStart && ended <= measureEnd)
                {
                    latencies[id].Add(ended - started);
                }
            }
        });
    }

    await WaitUntilAsync(measureStart);
    (TimeSpan cpu, long allocated) = Sample();
    await WaitUntilAsync(measureEnd);
    (TimeSpan cpuEnd, long allocatedEnd) = Sample();
    await Task.WhenAll(workers);
    long[] all = [.. latencies.SelectMany(l => l)];
    Array.Sort(all);
    int n = Math.Max(all.Length, 1);
    Result($"client={which} op={operation} conc={concurrency} seconds={seconds} n={all.Length} rps={all.Length / (double)seconds:F0}"
        + $" p50_ms={Milliseconds(all, 0.50):F2} p99_ms={Milliseconds(all, 0.99):F2} cpu_us_per_req={(cpuEnd - cpu).TotalMicroseconds / n:F1}"
        + $" alloc_B_per_req={(allocatedEnd - allocated) / (double)n:F0} errors={errors}"
        + $" capped={latencies.Count(l => l.Count == MaxRequestsPerWorker)}");
    return errors == 0 ? 0 : 1;
}

async Task<int> LargeAsync(string which, string operation, int mebibytes)
{
    using IBenchClient client = Client(which);
    using var bounded = new CancellationTokenSource(TimeSpan.FromMinutes(5));
    long length = (long)mebibytes << 20;
    var key = new ObjectKey($"large/{mebibytes}");
    // A small request first: connection, TLS and first-call costs are not the transfer's.
    await client.HeadAsync(SmallKey(0), bounded.Token);
    (TimeSpan cpu, long allocated) = Sample();
    long started = Stopwatch.GetTimestamp();
    if (operation == "put")
    {
        await client.PutStreamAsync(key, length, bounded.Token);
    }
    else if (await client.GetAsync(key, new byte[128 << 10], bounded.Token) != length)
    {
        Console.Error.WriteLine($"GET {key.Text}: not {length} bytes");
        return 1;
    }

    double elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
    (TimeSpan cpuEnd, long allocatedEnd) = Sample();
    Result($"client={which} op=large-{operation} MiB={mebibytes} sec={elapsed:F2} MBps={length / 1e6 / elapsed:F1}"
        + $" cpu_s_per_GiB={(cpuEnd - cpu).TotalSeconds / (length / (double)(1 << 30)):F3} alloc_MB={(allocatedEnd - allocated) / 1e6:F2}"
        + $" peak_ws_MB={Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0}");
    return 0;
}

IBenchClient Client(string which) => which switch
{
    "sdk" => new SdkClient(options, bucket),
    "own" => new OwnClient(options, bucket),
    _ => throw new ArgumentException($"no client {which}: sdk or own"),
};

static ObjectKey SmallKey(int i) => new($"small/{i}");

static (TimeSpan Cpu, long Allocated) Sample()
{
    using Process process = Process.GetCurrentProcess();
    return (process.TotalProcessorTime, GC.GetTotalAllocatedBytes(precise: true));
}

static async Task WaitUntilAsync(long timestamp)
{
    TimeSpan left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
    if (left > TimeSpan.Zero)
    {
        await Task.Delay(left);
    }
}

static double Milliseconds(long[] sorted, double quantile)
    => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * quantile))] * 1000.0 / Stopwatch.Frequency;

static void Result(string fields) => Console.WriteLine($"RESULT {fields} load={File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

static int Number(string text) => int.Parse(text, CultureInfo.InvariantCulture);

static string Setting(string name) => Environment.GetEnvironmentVariable(name) ?? throw new InvalidOperationException($"{name} is not set.");

static int Usage()
{
    Console.Error.WriteLine("usage: FastS3.UpstreamBench setup | drop | small sdk|own get|put|head SECONDS CONCURRENCY | large sdk|own put|get MIB");
    return 2;
}
