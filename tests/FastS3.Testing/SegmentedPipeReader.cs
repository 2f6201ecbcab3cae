using System.Buffers;
using System.IO.Pipelines;

namespace FastS3.Testing;

/// <summary>
/// Delivers a byte array in fixed pieces, one more piece each time the reader has examined all it
/// was given, so a test decides exactly where the server's reads are split. The pieces are separate
/// buffer segments, as a socket's receives can be.
/// </summary>
public sealed class SegmentedPipeReader : PipeReader
{
    private readonly ReadOnlySequence<byte> _all;
    private readonly long[] _pieceEnds;
    private int _delivered;
    private long _consumed;
    private long _examined;
    private bool _canceled;

    public SegmentedPipeReader(byte[] data, IReadOnlyList<int> splits)
    {
        var bounds = new List<int> { 0 };
        bounds.AddRange(splits.Where(s => s > 0 && s < data.Length).Distinct().Order());
        bounds.Add(data.Length);
        _pieceEnds = bounds.Skip(1).Select(b => (long)b).ToArray();
        _all = Segment.Build(data, bounds);
    }

    public static SegmentedPipeReader SplitAt(byte[] data, params int[] splits) => new(data, splits);

    private long DeliveredEnd => _delivered == 0 ? 0 : _pieceEnds[_delivered - 1];

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_examined >= DeliveredEnd && _delivered < _pieceEnds.Length)
        {
            _delivered++;
        }

        return ValueTask.FromResult(Current());
    }

    public override bool TryRead(out ReadResult result)
    {
        result = Current();
        return !result.Buffer.IsEmpty || result.IsCompleted || result.IsCanceled;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _consumed = _all.Slice(0, consumed).Length;
        _examined = Math.Max(_all.Slice(0, examined).Length, _consumed);
    }

    public override void CancelPendingRead() => _canceled = true;

    public override void Complete(Exception? exception = null)
    {
    }

    private ReadResult Current()
    {
        bool canceled = _canceled;
        _canceled = false;
        bool completed = _delivered == _pieceEnds.Length;
        return new ReadResult(_all.Slice(_consumed, DeliveredEnd - _consumed), canceled, completed);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public static ReadOnlySequence<byte> Build(byte[] data, List<int> bounds)
        {
            Segment? first = null;
            Segment? last = null;
            for (int i = 0; i + 1 < bounds.Count; i++)
            {
                // Each piece gets its own array, as separate receive buffers would be.
                var segment = new Segment { Memory = data[bounds[i]..bounds[i + 1]] };
                if (last is null)
                {
                    first = segment;
                }
                else
                {
                    segment.RunningIndex = last.RunningIndex + last.Memory.Length;
                    last.Next = segment;
                }

                last = segment;
            }

            return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
        }
    }
}
