using System.Diagnostics.CodeAnalysis;

namespace FastS3.Fuzz;

/// <summary>
/// The fuzz targets by name. Each takes one input and returns normally when the component answered
/// with a result or its documented rejection; anything else (another exception, a broken invariant,
/// a run that allocates far more than its input justifies) escapes as a crash for AFL to keep.
/// </summary>
internal static class Targets
{
    private static readonly Dictionary<string, Action<byte[]>> All = new()
    {
        ["http"] = HttpTargets.RequestStream,
        ["chunked"] = HttpTargets.ChunkedBody,
        ["aws-chunked"] = AwsChunkedTarget.Run,
        ["sigv4"] = SigV4Target.Run,
        ["xml"] = XmlBodyTarget.Run,
        ["segments"] = SegmentTarget.Run,
        ["range"] = ByteRangeTarget.Run,
    };

    public static IEnumerable<string> Names => All.Keys;

    public static bool TryGet(string name, [NotNullWhen(true)] out Action<byte[]>? target) => All.TryGetValue(name, out target);

    /// <summary>
    /// Runs <paramref name="target"/> and fails if it allocated more than a generous multiple of the
    /// input: every limit in the code under test is meant to keep memory proportional to what the
    /// client sent, never to a size it merely declared.
    /// </summary>
    public static void RunGuarded(Action<byte[]> target, byte[] input)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        target(input);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long budget = (32L << 20) + (1024L * input.Length);
        if (allocated > budget)
        {
            throw new FuzzFailure($"allocated {allocated} bytes for a {input.Length}-byte input");
        }
    }
}

/// <summary>An oracle the harness checks (not an exception of the code under test) failed.</summary>
internal sealed class FuzzFailure(string message, Exception? inner = null) : Exception(message, inner);
