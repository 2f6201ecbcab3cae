using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastS3.Testing;

/// <summary>One byte pattern to find: a secret in one of its encodings.</summary>
public sealed record SecretPattern(Secret Secret, string Encoding, byte[] Bytes);

/// <summary>
/// Finds hundreds of patterns (every encoding of every secret) in one pass instead of one pass
/// each: the first 8 bytes at each position are hashed into a bit filter of the patterns' first 8
/// bytes, and only the rare positions it lets through are compared in full. Runs of zero bytes,
/// most of a core dump (committed but untouched heap), are skipped with a vectorized search.
/// </summary>
internal sealed class SecretPatterns
{
    private const int GramLength = sizeof(ulong);
    private const int FilterBits = 18;

    private readonly ulong[] _filter = new ulong[(1 << FilterBits) / 64];
    private readonly Dictionary<ulong, List<SecretPattern>> _byGram = [];

    // A match may start this many zero bytes before the end of a zero run.
    private readonly int _leadingZeros;
    private readonly bool _zeroGram;

    public SecretPatterns(IEnumerable<SecretPattern> patterns)
    {
        foreach (SecretPattern pattern in patterns)
        {
            if (pattern.Bytes.Length < GramLength)
            {
                throw new ArgumentException($"{pattern.Secret.Name} as {pattern.Encoding} is shorter than {GramLength} bytes");
            }

            ulong gram = MemoryMarshal.Read<ulong>(pattern.Bytes);
            ulong hash = Hash(gram);
            _filter[hash / 64] |= 1UL << (int)(hash % 64);
            (CollectionsMarshal.GetValueRefOrAddDefault(_byGram, gram, out _) ??= []).Add(pattern);
            MaxLength = Math.Max(MaxLength, pattern.Bytes.Length);
            _leadingZeros = Math.Max(_leadingZeros, pattern.Bytes.AsSpan().IndexOfAnyExcept((byte)0));
        }

        _zeroGram = _byGram.ContainsKey(0);
    }

    public int MaxLength { get; }

    /// <summary>Adds the matches that start in [<paramref name="from"/>, <paramref name="to"/>) of <paramref name="span"/>.</summary>
    public void Find(ReadOnlySpan<byte> span, int from, int to, List<(int At, SecretPattern Pattern)> found)
    {
        int last = Math.Min(to, span.Length - GramLength + 1);
        ref byte start = ref MemoryMarshal.GetReference(span);
        for (int at = from; at < last; at++)
        {
            ulong gram = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, at));
            if (gram == 0 && !_zeroGram)
            {
                int nonZero = span[(at + GramLength)..].IndexOfAnyExcept((byte)0);
                if (nonZero < 0)
                {
                    return;
                }

                at = Math.Max(at, at + GramLength + nonZero - _leadingZeros - 1);
                continue;
            }

            ulong hash = Hash(gram);
            if ((_filter[hash / 64] & (1UL << (int)(hash % 64))) == 0 || !_byGram.TryGetValue(gram, out List<SecretPattern>? candidates))
            {
                continue;
            }

            foreach (SecretPattern pattern in candidates)
            {
                if (span[at..].StartsWith(pattern.Bytes))
                {
                    found.Add((at, pattern));
                }
            }
        }
    }

    private static ulong Hash(ulong gram) => (gram * 0x9E3779B97F4A7C15UL) >> (64 - FilterBits);
}
