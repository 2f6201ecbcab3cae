using System.Security.Cryptography;
using FastS3.Storage;
using FastS3.Storage.Disk;

namespace FastS3.Tests.Storage;

[Trait("Store", "Disk")]
public sealed class DataFileWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fasts3-datafile-").FullName;
    private readonly AlignedBlockPool _pool = new(blockSize: 64 * 1024, maxRetained: 4);

    public void Dispose()
    {
        _pool.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    public static TheoryData<WriteMode, int> Sizes()
    {
        var data = new TheoryData<WriteMode, int>();
        foreach (WriteMode mode in Enum.GetValues<WriteMode>())
        {
            foreach (int size in new[] { 0, 1, 511, 4095, 4096, 4097, 65535, 65536, 65537, 200_000, 3 * 65536 + 123 })
            {
                data.Add(mode, size);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task CommittedFileHoldsExactlyTheBytes(WriteMode mode, int size)
    {
        byte[] data = RandomNumberGenerator.GetBytes(size);
        string temp = Path.Combine(_directory, "object.tmp");
        string final = Path.Combine(_directory, "object");
        await using (DataFileWriter writer = DataFileWriter.Create(temp, mode, _pool))
        {
            // Irregular pieces, as body slices arrive.
            int offset = 0;
            foreach (int piece in new[] { 1, 1000, 7, 70_000 }.Concat(Enumerable.Repeat(33_333, 100)))
            {
                int take = Math.Min(piece, size - offset);
                await writer.WriteAsync(data.AsMemory(offset, take));
                offset += take;
            }

            Assert.Equal(size, writer.Length);
            await writer.CommitAsync(final);
        }

        Assert.Equal(data, await File.ReadAllBytesAsync(final));
        Assert.False(File.Exists(temp));
    }

    [Fact]
    public async Task FillingTheBlocksInPlaceWorks()
    {
        byte[] data = RandomNumberGenerator.GetBytes(300_000);
        string final = Path.Combine(_directory, "in-place");
        await using (DataFileWriter writer = DataFileWriter.Create(Path.Combine(_directory, "in-place.tmp"), WriteMode.Direct, _pool))
        {
            int offset = 0;
            while (offset < data.Length)
            {
                Memory<byte> free = writer.GetMemory();
                int take = Math.Min(free.Length, data.Length - offset);
                data.AsSpan(offset, take).CopyTo(free.Span);
                await writer.AdvanceAsync(take);
                offset += take;
            }

            await writer.CommitAsync(final);
        }

        Assert.Equal(data, await File.ReadAllBytesAsync(final));
    }

    [Fact]
    public async Task AbandonedWriteLeavesNothing()
    {
        string temp = Path.Combine(_directory, "abandoned.tmp");
        await using (DataFileWriter writer = DataFileWriter.Create(temp, WriteMode.Direct, _pool))
        {
            await writer.WriteAsync(new byte[150_000]);
        }

        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task CommitReplacesAnExistingFile()
    {
        string final = Path.Combine(_directory, "replaced");
        await File.WriteAllTextAsync(final, "old contents that are longer than the new");
        await using (DataFileWriter writer = DataFileWriter.Create(Path.Combine(_directory, "replaced.tmp"), WriteMode.Buffered, _pool))
        {
            await writer.WriteAsync("new"u8.ToArray());
            await writer.CommitAsync(final);
        }

        Assert.Equal("new", await File.ReadAllTextAsync(final));
    }

    [Fact]
    public void TemporaryFilesAreNeverOverwritten()
    {
        string temp = Path.Combine(_directory, "exists.tmp");
        File.WriteAllText(temp, "x");
        Assert.Throws<IOException>(() => DataFileWriter.Create(temp, WriteMode.Direct, _pool));
    }
}
