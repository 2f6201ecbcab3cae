using System.Buffers;
using BenchmarkDotNet.Attributes;
using FastS3.Http;

namespace FastS3.Benchmarks;

/// <summary>
/// What zeroing pipe blocks on return costs: one block filled (as a TLS read or a response write
/// fills it, so it is hot in cache) and given back, through <see cref="ClearingMemoryPool"/> and,
/// as the baseline, through the shared array pool the pipes used before. The difference per block,
/// times blocks per GiB (65536 of 16 KiB input, 4096 of 256 KiB output), is the cost per GiB moved.
/// </summary>
[MemoryDiagnoser]
public class ClearingMemoryPoolBenchmarks
{
    [Params(16 * 1024, 256 * 1024)]
    public int Size { get; set; }

    [Benchmark(Baseline = true)]
    public void SharedArrayPool()
    {
        byte[] block = ArrayPool<byte>.Shared.Rent(Size);
        block.AsSpan(0, Size).Fill(0x5a);
        ArrayPool<byte>.Shared.Return(block);
    }

    [Benchmark]
    public void Clearing()
    {
        using IMemoryOwner<byte> block = ClearingMemoryPool.Instance.Rent(Size);
        block.Memory.Span[..Size].Fill(0x5a);
    }
}
