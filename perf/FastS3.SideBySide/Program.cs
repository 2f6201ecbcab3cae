using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

// Builds of FastS3.Benchmarks measured side by side in one process: each build in a load context of
// its own, every (build, method) run in batches whose order is shuffled every round, timed with the
// thread's own CPU clock. On a small, noisy machine BenchmarkDotNet runs of two builds minutes apart
// differ by more than the change under test; here both see the same noise, and the median of the
// per-round ratios cancels most of it.
//
//   fasts3-side-by-side --build old=DIR --build new=DIR --type SmallGetPipelineBenchmarks
//       --methods GetObject4KiB,GetObject4KiB_SseC [--param Keys=10000] [--rounds 60] [--batch 3000]
// A parameter prefixed with a build's name is set for that build only: one build twice, as
// --build off=DIR --build on=DIR --param on:AccessLog=true, measures what a setting costs.
var builds = new List<(string Name, string Directory)>();
var parameters = new List<(string? Build, string Name, string Value)>();
string type = "SmallGetPipelineBenchmarks";
string[] methods = [];
int rounds = 60, batch = 3000;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    string value = args[i + 1];
    switch (args[i])
    {
        case "--build": builds.Add((value[..value.IndexOf('=')], value[(value.IndexOf('=') + 1)..])); break;
        case "--param": parameters.Add(Parameter(value)); break;
        case "--type": type = value; break;
        case "--methods": methods = value.Split(','); break;
        case "--rounds": rounds = int.Parse(value); break;
        case "--batch": batch = int.Parse(value); break;
        default: return Usage($"unknown option {args[i]}");
    }
}

if (builds.Count < 2 || methods.Length == 0 || args.Length % 2 != 0)
{
    return Usage("two --build NAME=DIR and --methods are needed");
}

var cases = new List<Case>();
foreach ((string name, string directory) in builds)
{
    Assembly assembly = new BuildContext(directory).LoadFromAssemblyPath(Path.GetFullPath(Path.Combine(directory, "FastS3.Benchmarks.dll")));
    Type benchmarks = assembly.GetType($"FastS3.Benchmarks.{type}") ?? throw new ArgumentException($"{type} is not in {directory}");
    foreach (string method in methods)
    {
        cases.Add(Case.Create(name, benchmarks, method, parameters.Where(p => p.Build is null || p.Build == name)));
    }
}

// Tiered compilation (with its PGO phase) settles before anything is measured: calls, a pause for
// the background compiler to install tier 1, calls again.
for (int warm = 0; warm < 6; warm++)
{
    foreach (Case c in cases)
    {
        c.Run(batch);
    }

    if (warm == 2)
    {
        Thread.Sleep(500);
    }
}

var random = new Random(1);
for (int round = 0; round < rounds; round++)
{
    foreach (Case c in cases.OrderBy(_ => random.Next()).ToArray())
    {
        c.Measure(batch);
    }
}

Console.WriteLine($"{rounds} rounds of {batch} calls; ns/op by thread CPU time; ratio = median over rounds of (this build / {builds[0].Name})");
Console.WriteLine($"{"build",-10} {"method",-36} {"median ns/op",13} {"B/op",8} {"ratio",8}");
for (int k = 0; k < cases.Count; k++)
{
    Case baseline = cases[k % methods.Length];
    double ratio = Median(Enumerable.Range(0, rounds).Select(r => cases[k].NanosecondsPerOp[r] / baseline.NanosecondsPerOp[r]));
    Console.WriteLine($"{cases[k].Build,-10} {cases[k].Method,-36} {Median(cases[k].NanosecondsPerOp),13:F0} {cases[k].BytesPerOp(rounds * batch),8:F1} {ratio,8:F4}");
}

foreach (Case c in cases)
{
    c.Cleanup();
}

return 0;

static double Median(IEnumerable<double> values)
{
    double[] sorted = [.. values.Order()];
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static (string? Build, string Name, string Value) Parameter(string text)
{
    int equals = text.IndexOf('=');
    int colon = text.LastIndexOf(':', equals);
    return (colon < 0 ? null : text[..colon], text[(colon + 1)..equals], text[(equals + 1)..]);
}

static int Usage(string problem)
{
    Console.Error.WriteLine($"fasts3-side-by-side: {problem}");
    Console.Error.WriteLine("usage: fasts3-side-by-side --build NAME=DIR --build NAME=DIR [...] --type CLASS --methods M1,M2 [--param [BUILD:]NAME=VALUE] [--rounds N] [--batch N]");
    return 2;
}

/// <summary>One benchmark method of one build, set up as BenchmarkDotNet would ([Params] values, [GlobalSetup]).</summary>
internal sealed class Case(string build, string method, Action operation, object instance, MethodInfo? cleanup)
{
    private long _allocated;

    public string Build => build;

    public string Method => method;

    public List<double> NanosecondsPerOp { get; } = [];

    public static Case Create(string build, Type benchmarks, string method, IEnumerable<(string? Build, string Name, string Value)> parameters)
    {
        object instance = Activator.CreateInstance(benchmarks)!;
        foreach ((_, string name, string value) in parameters)
        {
            // A build without the parameter (an older one) runs as it is.
            PropertyInfo? property = benchmarks.GetProperty(name);
            property?.SetValue(instance, Convert.ChangeType(value, property.PropertyType, System.Globalization.CultureInfo.InvariantCulture));
        }

        MethodInfo? setup = Attributed(benchmarks, "GlobalSetupAttribute");
        setup?.Invoke(instance, null);
        MethodInfo target = benchmarks.GetMethod(method, Type.EmptyTypes) ?? throw new ArgumentException($"{benchmarks.Name}.{method} not found");
        Action operation = target.ReturnType == typeof(void)
            ? target.CreateDelegate<Action>(instance)
            : Discarding(target, instance);
        return new Case(build, method, operation, instance, Attributed(benchmarks, "GlobalCleanupAttribute"));
    }

    public void Run(int calls)
    {
        for (int i = 0; i < calls; i++)
        {
            operation();
        }
    }

    public void Measure(int calls)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long start = ThreadClock.Nanoseconds();
        Run(calls);
        long elapsed = ThreadClock.Nanoseconds() - start;
        _allocated += GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        NanosecondsPerOp.Add((double)elapsed / calls);
    }

    public double BytesPerOp(long calls) => (double)_allocated / calls;

    public void Cleanup() => cleanup?.Invoke(instance, null);

    private static MethodInfo? Attributed(Type type, string attribute)
        => type.GetMethods().FirstOrDefault(m => m.GetCustomAttributes().Any(a => a.GetType().Name == attribute));

    /// <summary>A benchmark that returns a value (so BenchmarkDotNet keeps its work) called without boxing it.</summary>
    private static Action Discarding(MethodInfo target, object instance)
    {
        if (target.ReturnType == typeof(int))
        {
            Func<int> call = target.CreateDelegate<Func<int>>(instance);
            return () => call();
        }

        if (target.ReturnType == typeof(bool))
        {
            Func<bool> call = target.CreateDelegate<Func<bool>>(instance);
            return () => call();
        }

        return () => target.Invoke(instance, null);
    }
}

/// <summary>Loads a build's assemblies from its own directory, so two builds of FastS3 live side by side.</summary>
internal sealed class BuildContext(string directory) : AssemblyLoadContext(isCollectible: false)
{
    protected override Assembly? Load(AssemblyName name)
    {
        string path = Path.Combine(directory, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(Path.GetFullPath(path)) : null;
    }
}

/// <summary>CLOCK_THREAD_CPUTIME_ID: time this thread ran, not time it waited for a core.</summary>
internal static partial class ThreadClock
{
    private const int ThreadCpuTime = 3;

    public static long Nanoseconds()
    {
        ClockGetTime(ThreadCpuTime, out TimeSpec time);
        return (time.Seconds * 1_000_000_000) + time.Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
