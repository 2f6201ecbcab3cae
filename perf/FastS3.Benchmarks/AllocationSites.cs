using System.Diagnostics.Tracing;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace FastS3.Benchmarks;

/// <summary>
/// <c>--alloc-sites Class.Method [ops]</c>: runs one benchmark in process, then reports bytes per op
/// and which types the allocations are, from the runtime's allocation sampling (one GCAllocationTick
/// per ~100 KB allocated, so a type's share of the samples is its share of the bytes). For async
/// code the state-machine box type names the method that allocated. For finding what to remove
/// after MemoryDiagnoser shows a non-zero Allocated.
/// </summary>
internal static class AllocationSites
{
    public static void Run(string benchmark, int ops)
    {
        string[] parts = benchmark.Split('.');
        Type type = typeof(AllocationSites).Assembly.GetTypes().Single(t => t.Name == parts[0]);
        object instance = Activator.CreateInstance(type)!;
        type.GetMethods().SingleOrDefault(m => m.GetCustomAttribute<GlobalSetupAttribute>() is not null)?.Invoke(instance, null);
        MethodInfo method = type.GetMethod(parts[1]) ?? throw new ArgumentException($"no method {parts[1]} on {type.Name}");
        var op = (Action)(() => method.Invoke(instance, null));
        try
        {
            for (int i = 0; i < Math.Min(ops, 2000); i++)
            {
                op();
            }

            using var listener = new AllocationTickListener();
            long before = GC.GetTotalAllocatedBytes(precise: true);
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int i = 0; i < ops; i++)
            {
                op();
            }

            TimeSpan elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            long perOp = (GC.GetTotalAllocatedBytes(precise: true) - before) / ops;
            Console.WriteLine($"{benchmark}: {perOp} B/op, {elapsed.TotalMicroseconds / ops:F1} µs/op (rough) over {ops} ops (includes the reflection call: {InvokeCost(instance)} B/op); sampled types:");
            int total = listener.Samples.Values.Sum();
            foreach ((string name, int count) in listener.Samples.OrderByDescending(s => s.Value).Take(25))
            {
                Console.WriteLine($"  {100.0 * count / total,5:F1}%  ~{perOp * count / total,5} B/op  {name}{Owners(name)}");
            }
        }
        finally
        {
            type.GetMethods().SingleOrDefault(m => m.GetCustomAttribute<GlobalCleanupAttribute>() is not null)?.Invoke(instance, null);
        }
    }

    /// <summary>Compiler-generated types (closures) are reported without their declaring type: list the loaded candidates.</summary>
    private static string Owners(string name)
    {
        if (!name.StartsWith('<'))
        {
            return "";
        }

        IEnumerable<string> owners = AppDomain.CurrentDomain.GetAssemblies()
            .SelectMany(a => { try { return a.GetTypes(); } catch (ReflectionTypeLoadException ex) { return ex.Types.OfType<Type>(); } })
            .Where(t => t.Name == name && t.DeclaringType is not null)
            .Select(t => t.DeclaringType!.FullName!);
        return $" in one of: {string.Join(", ", owners.Take(8))}";
    }

    /// <summary>What MethodInfo.Invoke of a no-op costs, so it can be told apart from the benchmark's own bytes.</summary>
    private static long InvokeCost(object instance)
    {
        MethodInfo noop = typeof(object).GetMethod(nameof(GetHashCode))!;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 1000; i++)
        {
            noop.Invoke(instance, null);
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / 1000;
    }

    private sealed class AllocationTickListener : EventListener
    {
        public Dictionary<string, int> Samples { get; } = [];

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick is verbose
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && e.PayloadNames?.IndexOf("TypeName") is int at and >= 0)
            {
                string name = e.Payload![at] as string ?? "?";
                lock (Samples)
                {
                    Samples[name] = Samples.GetValueOrDefault(name) + 1;
                }
            }
        }
    }
}
