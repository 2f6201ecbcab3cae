using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;
using System.Text;

namespace FastS3.Testing;

/// <summary>One way a secret can be written down: its bytes, and what they are.</summary>
public sealed record SecretForm(string Secret, string Form, byte[] Bytes)
{
    /// <summary>
    /// Every form an SSE-C key can take in a server: the 32 raw bytes, their base64 as sent in the
    /// header (as ASCII and, had it become a .NET string, as UTF-16), hex, and the same for its MD5.
    /// </summary>
    public static IEnumerable<SecretForm> OfCustomerKey(string name, byte[] key)
    {
        byte[] md5 = MD5.HashData(key);
        string base64 = Convert.ToBase64String(key);
        string md5Base64 = Convert.ToBase64String(md5);
        yield return new(name, "raw key", key);
        yield return new(name, "base64 key", Encoding.ASCII.GetBytes(base64));
        yield return new(name, "base64 key as UTF-16", Encoding.Unicode.GetBytes(base64));
        yield return new(name, "hex key", Encoding.ASCII.GetBytes(Convert.ToHexStringLower(key)));
        yield return new(name, "raw key MD5", md5);
        yield return new(name, "base64 key MD5", Encoding.ASCII.GetBytes(md5Base64));
        yield return new(name, "base64 key MD5 as UTF-16", Encoding.Unicode.GetBytes(md5Base64));
    }
}

/// <summary>Where a secret form was found, with the bytes around it (to say what holds it).</summary>
public sealed record SecretHit(SecretForm Secret, string Where, long Offset, byte[] Before, byte[] After)
{
    public override string ToString()
        => $"{Secret.Secret} ({Secret.Form}) in {Where} at 0x{Offset:x}: …{Printable(Before)}[…]{Printable(After)}…";

    private static string Printable(byte[] bytes)
        => string.Concat(bytes.Select(b => b is >= 0x20 and < 0x7f ? ((char)b).ToString() : b == '\r' ? "\\r" : b == '\n' ? "\\n" : "·"));
}

/// <summary>Finds every occurrence of a set of secret forms in files, however large (core dumps), or in text.</summary>
public static class SecretScanner
{
    private const int ContextSize = 96;
    private const int WindowSize = 4 * 1024 * 1024;

    /// <summary>Every file under <paramref name="directory"/>.</summary>
    public static List<SecretHit> ScanDirectory(string directory, IReadOnlyList<SecretForm> secrets)
        => [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).SelectMany(file => ScanFile(file, secrets))];

    public static List<SecretHit> ScanText(string text, string where, IReadOnlyList<SecretForm> secrets)
    {
        byte[] data = Encoding.UTF8.GetBytes(text);
        var hits = new List<SecretHit>();
        ScanSpan(data, 0, data.Length, 0, where, secrets, hits);
        return hits;
    }

    /// <summary>
    /// The file, memory-mapped and searched window by window on every core; each window is small
    /// enough to stay in cache while every form is looked for in it.
    /// </summary>
    public static unsafe List<SecretHit> ScanFile(string path, IReadOnlyList<SecretForm> secrets)
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
            int margin = ContextSize + secrets.Max(s => s.Bytes.Length);
            var hits = new List<SecretHit>();
            Parallel.For(0, (length + WindowSize - 1) / WindowSize, window =>
            {
                // A match is reported by the window it starts in; the margins give it its tail and context.
                long from = window * WindowSize;
                long spanStart = Math.Max(0, from - ContextSize);
                long spanEnd = Math.Min(length, from + WindowSize + margin);
                var span = new ReadOnlySpan<byte>((byte*)file + spanStart, (int)(spanEnd - spanStart));
                var found = new List<SecretHit>();
                ScanSpan(span, (int)(from - spanStart), (int)(Math.Min(length, from + WindowSize) - spanStart), spanStart, path, secrets, found);
                lock (hits)
                {
                    hits.AddRange(found);
                }
            });
            return [.. hits.OrderBy(h => h.Offset)];
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    /// <summary>Matches starting in [<paramref name="from"/>, <paramref name="to"/>) of <paramref name="span"/>, which sits at <paramref name="spanOffset"/> in its source.</summary>
    private static void ScanSpan(ReadOnlySpan<byte> span, int from, int to, long spanOffset, string where, IReadOnlyList<SecretForm> secrets, List<SecretHit> hits)
    {
        foreach (SecretForm secret in secrets)
        {
            int at = from;
            while (at < to)
            {
                int found = span[at..].IndexOf(secret.Bytes);
                if (found < 0 || at + found >= to)
                {
                    break;
                }

                int offset = at + found;
                int end = offset + secret.Bytes.Length;
                hits.Add(new SecretHit(
                    secret,
                    where,
                    spanOffset + offset,
                    span[Math.Max(0, offset - ContextSize)..offset].ToArray(),
                    span[end..Math.Min(span.Length, end + ContextSize)].ToArray()));
                at = offset + 1;
            }
        }
    }
}
