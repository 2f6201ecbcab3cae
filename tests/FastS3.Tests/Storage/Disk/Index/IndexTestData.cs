using System.Text;
using FastS3.Storage.Disk.Index;

namespace FastS3.Tests.Storage.Disk.Index;

/// <summary>Shared helpers: a temporary directory, byte-string keys and the order the index promises.</summary>
internal static class IndexTestData
{
    public static readonly Comparer<byte[]> Ordinal = Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y));

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string NewDirectory() => Directory.CreateTempSubdirectory("fasts3-index-").FullName;

    /// <summary>Everything an iterator yields from <paramref name="start"/>, up to <paramref name="limit"/> entries.</summary>
    public static List<(byte[] Key, byte[] Value)> Scan(OrderedIndex index, byte[] start, int limit = int.MaxValue)
    {
        var entries = new List<(byte[], byte[])>();
        using IndexIterator iterator = index.Seek(start);
        while (entries.Count < limit && iterator.MoveNext())
        {
            entries.Add((iterator.Key.ToArray(), iterator.Value.ToArray()));
        }

        return entries;
    }

    /// <summary>Fails with the first difference between the index and the model, as readable text.</summary>
    public static void AssertSame(SortedDictionary<byte[], byte[]> model, OrderedIndex index)
    {
        List<(byte[] Key, byte[] Value)> actual = Scan(index, []);
        Assert.Equal(model.Count, index.Count);
        Assert.Equal(model.Select(pair => Convert.ToHexString(pair.Key) + "=" + Convert.ToHexString(pair.Value)),
            actual.Select(pair => Convert.ToHexString(pair.Key) + "=" + Convert.ToHexString(pair.Value)));
        foreach ((byte[] key, byte[] value) in model)
        {
            Assert.True(index.TryGet(key, out byte[]? found), Convert.ToHexString(key));
            Assert.Equal(value, found);
        }
    }
}
