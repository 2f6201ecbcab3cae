using BenchmarkDotNet.Attributes;
using FastS3.Storage;
using FastS3.Storage.Disk;

namespace FastS3.Benchmarks;

/// <summary>
/// Durable data-file writes (write, fdatasync, rename, directory fsync) of 256 MiB through the
/// pooled aligned blocks, buffered vs O_DIRECT, into the temp directory (the data disk on the
/// reference machine). Throughput = 256 MiB / Mean.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 7)]
public class DataFileWriterBenchmarks
{
    private const int FileSize = 256 * 1024 * 1024;
    private readonly AlignedBlockPool _pool = new();
    private string _directory = "";
    private byte[] _chunk = [];

    [Params(WriteMode.Buffered, WriteMode.Direct)]
    public WriteMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("fasts3-bench-disk-").FullName;
        _chunk = new byte[64 * 1024];
        Random.Shared.NextBytes(_chunk);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [IterationCleanup]
    public void DeleteFile() => File.Delete(Path.Combine(_directory, "object"));

    [Benchmark]
    public async Task Write256MiB()
    {
        await using DataFileWriter writer = DataFileWriter.Create(Path.Combine(_directory, "object.tmp"), Mode, _pool);
        for (int written = 0; written < FileSize; written += _chunk.Length)
        {
            await writer.WriteAsync(_chunk);
        }

        await writer.CommitAsync(Path.Combine(_directory, "object"));
    }
}
