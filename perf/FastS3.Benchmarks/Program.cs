using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(FastS3.Benchmarks.RequestHeadBenchmarks).Assembly).Run(args);
