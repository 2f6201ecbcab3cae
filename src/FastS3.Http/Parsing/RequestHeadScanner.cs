using System.Buffers;
using System.Runtime.CompilerServices;

namespace FastS3.Http.Parsing;

/// <summary>
/// Finds the end of a request head (CRLF CRLF) in the bytes received so far and enforces the size
/// limits before the head is complete, so a client cannot make the server buffer more than
/// request line + headers limits. Resumes where the previous scan stopped, so a client dribbling
/// bytes costs linear, not quadratic, work.
/// </summary>
internal struct RequestHeadScanner
{
    private static ReadOnlySpan<byte> HeadTerminator => "\r\n\r\n"u8;

    private long _scanned;

    public void Reset() => _scanned = 0;

    /// <summary>
    /// True when <paramref name="buffer"/> (starting at the request's first byte) holds a whole head;
    /// <paramref name="headLength"/> then includes the terminator. Throws on a limit breach.
    /// </summary>
    public bool TryFind(in ReadOnlySequence<byte> buffer, HttpLimits limits, out int headLength)
    {
        if (buffer.IsSingleSegment)
        {
            ReadOnlySpan<byte> span = buffer.FirstSpan;
            int from = (int)Math.Max(0, _scanned - 3);
            int index = span[from..].IndexOf(HeadTerminator);
            if (index >= 0)
            {
                headLength = from + index + HeadTerminator.Length;
                return CheckLimits(span[..headLength], limits);
            }
        }
        else if (TryFindMultiSegment(buffer, out headLength))
        {
            return CheckLimits(buffer, headLength, limits);
        }

        _scanned = buffer.Length;
        CheckIncomplete(buffer, limits);
        headLength = 0;
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly bool TryFindMultiSegment(in ReadOnlySequence<byte> buffer, out int headLength)
    {
        var reader = new SequenceReader<byte>(buffer);
        reader.Advance(Math.Max(0, _scanned - 3));
        if (reader.TryReadTo(out ReadOnlySequence<byte> _, HeadTerminator, advancePastDelimiter: true))
        {
            headLength = checked((int)reader.Consumed);
            return true;
        }

        headLength = 0;
        return false;
    }

    private static bool CheckLimits(ReadOnlySpan<byte> head, HttpLimits limits)
    {
        int requestLineEnd = head.IndexOf((byte)'\n');
        CheckSizes(requestLineEnd, head.Length, limits);
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool CheckLimits(in ReadOnlySequence<byte> buffer, int headLength, HttpLimits limits)
    {
        SequencePosition? lineFeed = buffer.Slice(0, headLength).PositionOf((byte)'\n');
        int requestLineEnd = (int)buffer.Slice(0, lineFeed!.Value).Length;
        CheckSizes(requestLineEnd, headLength, limits);
        return true;
    }

    private static void CheckSizes(int requestLineEnd, int headLength, HttpLimits limits)
    {
        // requestLineEnd indexes the LF; the line proper excludes the CR before it.
        if (requestLineEnd - 1 > limits.MaxRequestLineSize)
        {
            Reject.Throw(RequestRejectionReason.RequestLineTooLong);
        }

        if (headLength - (requestLineEnd + 1) > limits.MaxRequestHeadersTotalSize)
        {
            Reject.Throw(RequestRejectionReason.HeadersTooLarge);
        }
    }

    private static void CheckIncomplete(in ReadOnlySequence<byte> buffer, HttpLimits limits)
    {
        long lineLimit = limits.MaxRequestLineSize + 2L;
        if (buffer.Length >= lineLimit)
        {
            SequencePosition? lineFeed = buffer.Slice(0, lineLimit).PositionOf((byte)'\n');
            if (lineFeed is null)
            {
                Reject.Throw(RequestRejectionReason.RequestLineTooLong);
            }

            long headersSoFar = buffer.Length - buffer.Slice(0, lineFeed.Value).Length - 1;
            if (headersSoFar > limits.MaxRequestHeadersTotalSize)
            {
                Reject.Throw(RequestRejectionReason.HeadersTooLarge);
            }
        }
    }
}
