using System.Net;
using System.Security.Cryptography;

namespace FastS3.Load.Client;

/// <summary>
/// A request body of any size cut from one shared, pre-filled 1 MiB buffer: nothing is copied or allocated per
/// byte, and a 1 GiB PUT streams the same megabyte 1024 times instead of holding the object in memory.
/// </summary>
internal sealed class PatternContent(long length, Scenarios.WorkerStats? progress) : HttpContent
{
    private const int PatternLength = 1 << 20;

    /// <summary>Random, so neither compression nor deduplication on the path can make the numbers look better.</summary>
    private static readonly byte[] Pattern = RandomNumberGenerator.GetBytes(PatternLength);

    private static readonly Dictionary<long, string> Sha256Cache = [];

    /// <summary>Hex SHA-256 of a body of <paramref name="size"/> bytes, for header signing over plain HTTP; computed once per size.</summary>
    public static string Sha256Hex(long size)
    {
        lock (Sha256Cache)
        {
            if (!Sha256Cache.TryGetValue(size, out string? hex))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                for (long left = size; left > 0; left -= PatternLength)
                {
                    hash.AppendData(Pattern, 0, (int)Math.Min(left, PatternLength));
                }

                Sha256Cache[size] = hex = Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            return hex;
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        for (long left = length; left > 0; left -= PatternLength)
        {
            int chunk = (int)Math.Min(left, PatternLength);
            await stream.WriteAsync(Pattern.AsMemory(0, chunk), cancellationToken).ConfigureAwait(false);
            progress?.Streamed(chunk);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length1)
    {
        length1 = length;
        return true;
    }
}
