using FastS3.Api;
using FastS3.Checksums;
using FastS3.Storage;

namespace FastS3.Fuzz;

/// <summary>
/// The XML request bodies: CompleteMultipartUpload's part list and DeleteObjects' key list. A parser
/// answers with what it read or false (MalformedXML); it never throws, and what it accepts is within
/// the limits the handlers rely on.
/// </summary>
internal static class XmlBodyTarget
{
    /// <summary>Input: a control byte (even: CompleteMultipartUpload, odd: DeleteObjects), then the body.</summary>
    public static void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        ReadOnlyMemory<byte> body = input.AsMemory(1);
        if (input[0] % 2 == 0)
        {
            CheckParts(body);
        }
        else
        {
            CheckKeys(body);
        }
    }

    private static void CheckParts(ReadOnlyMemory<byte> body)
    {
        if (!CompleteMultipartUpload.TryParse(body, out var parts))
        {
            return;
        }

        if (parts.Count is 0 or > PartTable.MaxParts)
        {
            throw new FuzzFailure($"accepted {parts.Count} parts");
        }

        foreach (CompleteMultipartUpload.RequestedPart part in parts)
        {
            if (part.Number is < 1 or > PartTable.MaxParts || part.ETag is null
                || (part.Checksum is null) != (part.Algorithm == ChecksumAlgorithm.None)
                || (part.Checksum is not null && part.Checksum.Length != part.Algorithm.DigestLength))
            {
                throw new FuzzFailure($"accepted part {part}");
            }
        }
    }

    private static void CheckKeys(ReadOnlyMemory<byte> body)
    {
        if (DeleteObjects.TryParse(body, out List<DeleteObjects.RequestedObject> objects, out _) && objects.Count is 0 or > DeleteObjects.MaxKeys)
        {
            throw new FuzzFailure($"accepted {objects.Count} objects");
        }
    }
}
