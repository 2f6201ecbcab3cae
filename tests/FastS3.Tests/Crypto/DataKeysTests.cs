using FastS3.Crypto;

namespace FastS3.Tests.Crypto;

/// <summary>The request's key slots: a key is wiped when disposed and when the request ends, and a stale handle reaches no newer key.</summary>
public class DataKeysTests
{
    [Fact]
    public void DisposingWipesTheSlotAndFreesIt()
    {
        var keys = new DataKeys();
        DataKey key = keys.Take();
        key.Writable.Fill(0xAB);
        ReadOnlyMemory<byte> bytes = key.Memory;
        key.Dispose();

        Assert.All(bytes.ToArray(), b => Assert.Equal(0, b));
        for (int i = 0; i < DataKeys.Capacity; i++)
        {
            keys.Take();
        }
    }

    [Fact]
    public void MoreKeysThanSlotsIsAProgrammingError()
    {
        var keys = new DataKeys();
        for (int i = 0; i < DataKeys.Capacity; i++)
        {
            keys.Take();
        }

        Assert.Throws<InvalidOperationException>(() => keys.Take());
    }

    [Fact]
    public void ASecondDisposeOfACopyLeavesTheNewerKeyOfTheSlotAlone()
    {
        var keys = new DataKeys();
        DataKey first = keys.Take();
        DataKey copy = first;
        first.Dispose();
        DataKey second = keys.Take();
        second.Writable.Fill(0x5A);

        copy.Dispose();

        Assert.All(second.Span.ToArray(), b => Assert.Equal(0x5A, b));
        Assert.Throws<ObjectDisposedException>(() => copy.Span.ToArray());
    }

    [Fact]
    public void TheEndOfTheRequestWipesEveryKeyStillOut()
    {
        var keys = new DataKeys();
        DataKey kept = keys.Take();
        kept.Writable.Fill(0x11);
        ReadOnlyMemory<byte> bytes = kept.Memory;

        keys.WipeAll();

        Assert.All(bytes.ToArray(), b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => kept.Span.ToArray());
        Assert.True(default(DataKey).IsEmpty);
        Assert.True(default(DataKey).Span.IsEmpty);
    }
}
