using BenchmarkDotNet.Running;

if (args is ["--alloc-sites", string benchmark, ..])
{
    FastS3.Benchmarks.AllocationSites.Run(benchmark, args.Length > 2 ? int.Parse(args[2]) : 100_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(FastS3.Benchmarks.RequestHeadBenchmarks).Assembly).Run(args);
