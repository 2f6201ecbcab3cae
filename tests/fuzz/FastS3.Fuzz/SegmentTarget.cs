using System.Buffers.Text;
using FastS3.Api;
using FastS3.Basics;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Fuzz;

/// <summary>
/// Ranged reads of an SSE-C object through <see cref="ObjectReader"/> (segment maths, batching,
/// per-segment authentication) over a stored stream the fuzzer controls, with the object's size and
/// the Range header as the record and the request give them. The reader may only ever hand out
/// authenticated plaintext (checked byte for byte against <see cref="EncryptedObject"/>'s pattern),
/// all of the range, or refuse it as <see cref="S3Errors.StoredDataDamaged"/>; and it must not fail on an intact stream.
/// </summary>
internal static class SegmentTarget
{
    /// <summary>Input: "size\n", "Range header value\n", then the stored stream.</summary>
    public static void Run(byte[] input)
    {
        ReadOnlySpan<byte> rest = input;
        ReadOnlySpan<byte> sizeText = NextLine(ref rest);
        ReadOnlySpan<byte> rangeHeader = NextLine(ref rest);
        if (!Utf8Parser.TryParse(sizeText, out long size, out int consumed) || consumed != sizeText.Length
            || size is < 0 or > SegmentFormat.MaxPlaintextSize
            || ByteRange.Resolve(rangeHeader, size, out ByteRange range) == ByteRange.Outcome.Unsatisfiable || range.Length == 0)
        {
            return;
        }

        ReadOnlyMemory<byte> stored = input.AsMemory(input.Length - rest.Length);
        try
        {
            ReadRange(stored, size, range);
        }
        catch (S3Exception ex) when (ex.Error == S3Errors.StoredDataDamaged && !IsIntact(stored.Span, size))
        {
            // Damaged, cut or foreign data: refusing it is the contract.
        }
    }

    private static void ReadRange(ReadOnlyMemory<byte> stored, long size, ByteRange range)
    {
        using ObjectReader reader = Completed(ObjectReader.OpenAsync(new StoredBytes(stored), size, range, EncryptedObject.ObjectKey));
        long position = range.Start;
        while (true)
        {
            ReadOnlyMemory<byte> chunk = Completed(reader.ReadAsync());
            if (chunk.IsEmpty)
            {
                break;
            }

            ReadOnlySpan<byte> bytes = chunk.Span;
            for (int i = 0; i < bytes.Length; i++)
            {
                if (position + i > range.End || bytes[i] != EncryptedObject.PlaintextAt(position + i))
                {
                    throw new FuzzFailure($"handed out a wrong byte at {position + i} of range {range}");
                }
            }

            position += bytes.Length;
        }

        if (position != range.Start + range.Length)
        {
            throw new FuzzFailure($"range {range} ended at {position}");
        }
    }

    // Whether the stream is exactly what writing the pattern object of this size stores (under its own nonce prefix).
    private static bool IsIntact(ReadOnlySpan<byte> stored, long size)
        => stored.Length == SegmentFormat.StoredSize(size) && SegmentFormat.IsValidHeader(stored[..SegmentFormat.HeaderSize])
            && stored.SequenceEqual(EncryptedObject.Encrypt(size, stored.Slice(8, SegmentFormat.NoncePrefixSize)));

    private static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> rest)
    {
        int newline = rest.IndexOf((byte)'\n');
        ReadOnlySpan<byte> line = newline < 0 ? rest : rest[..newline];
        rest = newline < 0 ? default : rest[(newline + 1)..];
        return line;
    }

    // Reads from memory complete synchronously.
    private static T Completed<T>(ValueTask<T> task)
        => task.IsCompleted ? task.GetAwaiter().GetResult() : throw new FuzzFailure("an in-memory read did not complete at once");
}
