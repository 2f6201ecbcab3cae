using System.Buffers;

namespace FastS3.Tests.Checksums;

/// <summary>Cuts a byte array into a multi-segment <see cref="ReadOnlySequence{T}"/>, as a socket's receives arrive.</summary>
internal static class SequenceBuilder
{
    public static ReadOnlySequence<byte> Split(byte[] data, IEnumerable<int> cuts)
    {
        int[] bounds = [0, .. cuts.Where(c => c > 0 && c < data.Length).Distinct().Order(), data.Length];
        var first = new Segment(data.AsMemory(bounds[0], bounds[1] - bounds[0]), 0);
        Segment last = first;
        for (int i = 1; i + 1 < bounds.Length; i++)
        {
            last = last.Append(data.AsMemory(bounds[i], bounds[i + 1] - bounds[i]));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Random cut points: many small pieces and some large ones.</summary>
    public static int[] RandomCuts(Random random, int length, int count)
        => Enumerable.Range(0, count).Select(_ => random.Next(0, length + 1)).ToArray();

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
