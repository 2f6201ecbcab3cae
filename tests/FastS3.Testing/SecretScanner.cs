using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;
using System.Text;

namespace FastS3.Testing;

/// <summary>A secret to look for, named by what it is; it is looked for in every encoding of <see cref="SecretEncodings"/>.</summary>
public sealed record Secret(string Name, byte[] Value)
{
    /// <summary>An SSE-C key and its MD5, which travels beside it and names it.</summary>
    public static Secret[] OfCustomerKey(string role, byte[] key) => [new($"{role} key", key), new($"{role} key MD5", MD5.HashData(key))];

    /// <summary>Secrets are equal by name and bytes, not by array: a key's MD5 computed twice is one secret.</summary>
    public bool Equals(Secret? other) => other is not null && Name == other.Name && Value.AsSpan().SequenceEqual(other.Value);

    public override int GetHashCode() => HashCode.Combine(Name, Value.Length);
}

/// <summary>Where a secret was found: the file, the offset, what memory it is (dumps), and the bytes around it.</summary>
public sealed record SecretHit(SecretPattern Pattern, string File, long Offset, string Region, byte[] Before, byte[] After)
{
    public Secret Secret => Pattern.Secret;

    public override string ToString()
        => $"{Secret.Name} as {Pattern.Encoding} in {File} at 0x{Offset:x}{(Region.Length > 0 ? ", " + Region : "")}: …{Printable(Before)}[…]{Printable(After)}…";

    private static string Printable(byte[] bytes)
        => string.Concat(bytes.Select(b => b is >= 0x20 and < 0x7f ? ((char)b).ToString() : b == '\r' ? "\\r" : b == '\n' ? "\\n" : "·"));
}

/// <summary>Finds every encoding of a set of secrets in files, however large (core dumps), or in text.</summary>
public static class SecretScanner
{
    private const int ContextSize = 96;
    private const int WindowSize = 4 * 1024 * 1024;

    /// <summary>Every file under <paramref name="directory"/>.</summary>
    public static List<SecretHit> ScanDirectory(string directory, IReadOnlyList<Secret> secrets)
    {
        SecretPatterns patterns = Compile(secrets);
        return [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).SelectMany(file => ScanFile(file, patterns, _ => ""))];
    }

    public static List<SecretHit> ScanText(string text, string where, IReadOnlyList<Secret> secrets)
    {
        byte[] data = Encoding.UTF8.GetBytes(text);
        var found = new List<(int At, SecretPattern Pattern)>();
        Compile(secrets).Find(data, 0, data.Length, found);
        return [.. found.Select(f => Hit(data, f.At, 0, f.Pattern, where, ""))];
    }

    /// <summary>A core dump, each hit placed in the mapping it was read from.</summary>
    public static List<SecretHit> ScanDump(CoreDump dump, IReadOnlyList<Secret> secrets)
        => ScanFile(dump.Path, Compile(secrets), dump.Describe);

    /// <summary>
    /// The file, memory-mapped and searched window by window on every core; each window is small
    /// enough to stay in cache while it is searched.
    /// </summary>
    private static unsafe List<SecretHit> ScanFile(string path, SecretPatterns patterns, Func<long, string> region)
    {
        long length = new FileInfo(path).Length;
        if (length == 0)
        {
            return [];
        }

        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using MemoryMappedViewAccessor view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        try
        {
            nint file = (nint)pointer;
            int margin = ContextSize + patterns.MaxLength;
            var hits = new List<SecretHit>();
            Parallel.For(0, (length + WindowSize - 1) / WindowSize, window =>
            {
                // A match is reported by the window it starts in; the margins give it its tail and context.
                long from = window * WindowSize;
                long spanStart = Math.Max(0, from - ContextSize);
                long spanEnd = Math.Min(length, from + WindowSize + margin);
                var span = new ReadOnlySpan<byte>((byte*)file + spanStart, (int)(spanEnd - spanStart));
                var found = new List<(int At, SecretPattern Pattern)>();
                patterns.Find(span, (int)(from - spanStart), (int)(Math.Min(length, from + WindowSize) - spanStart), found);
                var windowHits = new List<SecretHit>(found.Count);
                foreach ((int at, SecretPattern pattern) in found)
                {
                    windowHits.Add(Hit(span, at, spanStart, pattern, path, region(spanStart + at)));
                }

                lock (hits)
                {
                    hits.AddRange(windowHits);
                }
            });
            return [.. hits.OrderBy(h => h.Offset)];
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    private static SecretPatterns Compile(IReadOnlyList<Secret> secrets)
        => new(secrets.SelectMany(secret => SecretEncodings.Of(secret.Value).Select(e => new SecretPattern(secret, e.Name, e.Bytes))));

    private static SecretHit Hit(ReadOnlySpan<byte> span, int at, long spanOffset, SecretPattern pattern, string file, string region)
    {
        int end = at + pattern.Bytes.Length;
        return new SecretHit(
            pattern,
            file,
            spanOffset + at,
            region,
            span[Math.Max(0, at - ContextSize)..at].ToArray(),
            span[end..Math.Min(span.Length, end + ContextSize)].ToArray());
    }
}
