using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Tests.Storage;

/// <summary>The part table file of multipart objects: round trip, damage detection, and finding the part that holds a byte.</summary>
[Trait("Store", "Disk")]
public class PartTableTests
{
    private static readonly byte[] UploadId = [.. Enumerable.Range(1, 16).Select(i => (byte)i)];
    private static readonly byte[] Oek = [.. Enumerable.Range(0x40, 32).Select(i => (byte)i)];

    private static readonly PartEntry[] Parts =
    [
        new(1, Guid.NewGuid(), 5 * 1024 * 1024, 5 * 1024 * 1024),
        new(3, Guid.NewGuid(), 7 * 1024 * 1024, 7 * 1024 * 1024),
        new(9, Guid.NewGuid(), 10, 10),
    ];

    [Fact]
    public void RoundTrips()
    {
        byte[] bytes = PartTable.Build(UploadId, Parts);
        Assert.True(PartTable.TryParse(bytes, out PartTable? table));
        Assert.Equal(Parts, table.Parts);
        Assert.Equal(UploadId, table.UploadId);
        Assert.Equal((12 * 1024 * 1024) + 10, table.Size);
        Assert.True(table.Mac.IsEmpty);
    }

    [Fact]
    public void EveryByteIsCoveredByTheChecksum()
    {
        byte[] bytes = PartTable.Build(UploadId, Parts, (data, mac) => ObjectKey.MacPartTable(Oek, data, mac));
        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x10;
            Assert.False(PartTable.TryParse(damaged, out _), $"byte {i}");
        }

        Assert.False(PartTable.TryParse(bytes[..^1], out _));
        Assert.False(PartTable.TryParse([], out _));
    }

    [Fact]
    public void FindsThePartHoldingAByte()
    {
        Assert.True(PartTable.TryParse(PartTable.Build(UploadId, Parts), out PartTable? table));
        Assert.Equal(0, table!.IndexOf(0));
        Assert.Equal(0, table.IndexOf((5 * 1024 * 1024) - 1));
        Assert.Equal(1, table.IndexOf(5 * 1024 * 1024));
        Assert.Equal(2, table.IndexOf(12 * 1024 * 1024));
        Assert.Equal(2, table.IndexOf((12 * 1024 * 1024) + 9));
        Assert.Equal(5 * 1024 * 1024, table.StartOf(1));
    }

    [Fact]
    public void AnEmptyLastPartDoesNotHoldTheBytesBeforeIt()
    {
        PartEntry[] parts = [new(1, Guid.NewGuid(), 100, 100), new(2, Guid.NewGuid(), 0, 0)];
        Assert.True(PartTable.TryParse(PartTable.Build(UploadId, parts), out PartTable? table));
        Assert.Equal(0, table!.IndexOf(99));
    }

    [Fact]
    public void RefusesPartsOutOfOrder()
    {
        PartEntry[] parts = [Parts[1], Parts[0]];
        Assert.False(PartTable.TryParse(PartTable.Build(UploadId, parts), out _));
    }
}
