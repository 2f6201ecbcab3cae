using FastS3.Buffers;

namespace FastS3.Tests.Operations;

/// <summary>The access log's lock-free ring: order, wrap-around, a full ring, the wake mark, and many writers at once.</summary>
public sealed class RecordRingTests
{
    [Fact]
    public void RecordsComeOutInOrderAcrossTheEndOfTheRing()
    {
        var ring = new RecordRing(64, wakeMark: 64);
        byte[] read = new byte[64];
        for (int i = 0; i < 20; i++)
        {
            // 8 + 9..13 bytes, padded to 8: the records land at every offset and some wrap with a padding record.
            byte[] record = [.. Enumerable.Repeat((byte)('a' + i), 9 + (i % 5))];
            Assert.True(Write(ring, record, out _));
            Assert.True(ring.TryRead(read, out int length));
            Assert.Equal(record, read[..length]);
            Assert.False(ring.TryRead(read, out _));
        }
    }

    [Fact]
    public void AFullRingRefusesUntilTheReaderGivesRoomBack()
    {
        var ring = new RecordRing(64, wakeMark: 32);
        byte[] record = new byte[4];
        Assert.True(Write(ring, record, out bool wake));
        Assert.False(wake);
        Assert.True(Write(ring, record, out wake));
        Assert.True(wake);
        Assert.True(Write(ring, record, out wake));
        Assert.False(wake);
        Assert.True(Write(ring, record, out _));
        Assert.False(Write(ring, record, out _));

        Assert.True(ring.TryRead(new byte[64], out _));
        Assert.True(Write(ring, record, out _));
    }

    [Fact]
    public void ManyWritersLoseNothingTheReaderCanTake()
    {
        var ring = new RecordRing(4096, wakeMark: 1024);
        const int Writers = 4;
        const int PerWriter = 20_000;
        var seen = new int[Writers];
        using var done = new CountdownEvent(Writers);
        for (int w = 0; w < Writers; w++)
        {
            int writer = w;
            new Thread(() =>
            {
                byte[] record = new byte[5 + writer];
                record[0] = (byte)writer;
                for (int i = 0; i < PerWriter; i++)
                {
                    BitConverter.TryWriteBytes(record.AsSpan(1), i);
                    while (!Write(ring, record, out _))
                    {
                        Thread.Yield();
                    }
                }

                done.Signal();
            }).Start();
        }

        byte[] read = new byte[64];
        while (seen.Sum() < Writers * PerWriter)
        {
            // Once every writer is done, all it wrote is committed: an empty ring then means lost records.
            bool writersDone = done.IsSet;
            if (!ring.TryRead(read, out int length))
            {
                Assert.False(writersDone, $"records were lost: {seen.Sum()} of {Writers * PerWriter} read");
                Thread.Yield();
                continue;
            }

            // Each writer's records arrive whole and in its order.
            int writer = read[0];
            Assert.Equal(5 + writer, length);
            Assert.Equal(seen[writer], BitConverter.ToInt32(read, 1));
            seen[writer]++;
        }
    }

    /// <summary>A record claimed, filled and committed, as a writer does.</summary>
    private static bool Write(RecordRing ring, byte[] record, out bool wake)
    {
        if (!ring.TryClaim(record.Length, out RingClaim claim))
        {
            wake = false;
            return false;
        }

        record.CopyTo(claim.Record);
        claim.Commit();
        wake = claim.Wake;
        return true;
    }
}
