using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FastS3.Basics;

namespace FastS3.Tests.Crash;

/// <summary>One part of some content (number 0: a single stream's whole body).</summary>
internal readonly record struct Piece(int Number, int Size);

/// <summary>
/// Bytes some client meant to store: a function of a seed and the pieces, pseudo-random, and every
/// 4 KiB block starts with the seed and piece number, so a torn body shows where its bytes came
/// from. Carries the digests the checks compare: SHA-256 (identity), MD5 (a plain copy's ETag) and
/// CRC64NVME (the checksum S3 computes when the client sends none).
/// </summary>
internal sealed class Content
{
    public const int BlockSize = 4096;

    private Content(long seed, Piece[] pieces, byte[][] bytes)
    {
        Seed = seed;
        Pieces = pieces;
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var crc64 = new System.IO.Hashing.Crc64(System.IO.Hashing.Crc64ParameterSet.Nvme);
        foreach (byte[] piece in bytes)
        {
            sha256.AppendData(piece);
            md5.AppendData(piece);
            crc64.Append(piece);
        }

        Sha256 = Convert.ToHexString(sha256.GetHashAndReset());
        Md5 = Convert.ToHexStringLower(md5.GetHashAndReset());
        byte[] crc = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(crc, crc64.GetCurrentHashAsUInt64());
        Crc64Nvme = Convert.ToBase64String(crc);
    }

    public long Seed { get; }

    public Piece[] Pieces { get; }

    public string Sha256 { get; }

    public string Md5 { get; }

    public string Crc64Nvme { get; }

    /// <summary>The content of <paramref name="pieces"/> from <paramref name="seed"/>, and their bytes.</summary>
    public static Content Create(long seed, Piece[] pieces, out byte[][] bytes)
    {
        bytes = [.. pieces.Select(piece => Bytes(seed, piece))];
        return new Content(seed, pieces, bytes);
    }

    public byte[][] Bytes() => [.. Pieces.Select(piece => Bytes(Seed, piece))];

    public static byte[] Bytes(long seed, Piece piece)
    {
        byte[] bytes = new byte[piece.Size];
        ulong state = ((ulong)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(piece.Number + 1) * 0xBF58476D1CE4E5B9UL) | 1;
        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(bytes.AsSpan(0, bytes.Length & ~7));
        for (int i = 0; i < words.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            words[i] = state;
        }

        for (int at = 0; at + 12 <= bytes.Length; at += BlockSize)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at), seed);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at + 8), piece.Number);
        }

        return bytes;
    }

    /// <summary>Where a body's blocks came from: runs of (seed, piece) as their headers say.</summary>
    public static string DescribeBlocks(byte[] bytes)
    {
        var runs = new List<string>();
        (long Seed, int Number) last = (-1, -1);
        int count = 0;
        for (int at = 0; at + 12 <= bytes.Length; at += BlockSize)
        {
            (long, int) block = (BitConverter.ToInt64(bytes, at), BitConverter.ToInt32(bytes, at + 8));
            if (block != last && count > 0)
            {
                runs.Add($"{count}×(seed {last.Seed}, piece {last.Number})");
                count = 0;
            }

            last = block;
            count++;
        }

        if (count > 0)
        {
            runs.Add($"{count}×(seed {last.Seed}, piece {last.Number})");
        }

        return $"{bytes.Length} bytes: {string.Join(", ", runs.Take(20))}";
    }

    public override string ToString() => $"seed {Seed} [{string.Join("+", Pieces.Select(p => p.Number == 0 ? $"{p.Size}" : $"p{p.Number}:{p.Size}"))}]";
}

/// <summary>
/// What a write leaves on a key: the content, under which customer key (null: plain), with which
/// ETag (null: one the server draws at random, as for an SSE-C single-stream object) and which stored
/// checksum, as "ALGORITHM:base64:TYPE" (the HEAD headers with checksum mode on).
/// </summary>
internal sealed record Version(Content Content, int? CustomerKey, string? ETag, string Checksum)
{
    /// <summary>A single stream's checksum: S3's whole-object value for <paramref name="algorithm"/>.</summary>
    public static string FullObject(string algorithm, string base64) => $"{algorithm}:{base64}:FULL_OBJECT";

    public bool Matches(Observed observed)
        => observed.Sha256 == Content.Sha256 && observed.CustomerKey == CustomerKey && observed.Checksum == Checksum
            && (ETag is null ? observed.ETag.Length == 32 && observed.ETag.All(char.IsAsciiHexDigit) : observed.ETag == ETag);

    /// <summary>This version's bytes and checksum as found on a key: with the ETag seen there.</summary>
    public Version As(Observed observed) => this with { ETag = observed.ETag };

    public override string ToString() => $"{Content}{(CustomerKey is int key ? $" SSE-C key {key}" : "")} ETag {ETag ?? "(random)"} {Checksum}";
}

/// <summary>What a read found on a key: the body's SHA-256, the customer key that opened it, the ETag and stored checksum.</summary>
internal sealed record Observed(string Sha256, int? CustomerKey, string ETag, string Checksum, string Blocks)
{
    public override string ToString() => $"{Blocks}{(CustomerKey is int key ? $" SSE-C key {key}" : "")} ETag {ETag} {Checksum}";
}

/// <summary>A multipart upload whose id a client learnt, with its parts as sent and as acknowledged.</summary>
internal sealed class Upload(string key, string id, long seed, Piece[] planned, int? customerKey)
{
    public string Key { get; } = key;

    public string Id { get; } = id;

    public long Seed { get; } = seed;

    /// <summary>The parts the Complete is meant to list (an extra part may be sent and left out).</summary>
    public Piece[] Planned { get; } = planned;

    public int? CustomerKey { get; } = customerKey;

    /// <summary>Part number → size, for every part sent / every part the server acknowledged; and the ETags it answered.</summary>
    public ConcurrentDictionary<int, int> Attempted { get; } = new();

    public ConcurrentDictionary<int, int> Acknowledged { get; } = new();

    public ConcurrentDictionary<int, string> ETags { get; } = new();

    /// <summary>What the Complete, once sent, puts on the key.</summary>
    public Version? Completing { get; set; }

    public bool Completed { get; set; }

    public bool AbortStarted { get; set; }

    public bool Aborted { get; set; }

    /// <summary>Completed or aborted after a restart.</summary>
    public bool Finished { get; set; }

    /// <summary>The version a Complete of <paramref name="parts"/> (as the server answered their ETags) puts on the key.</summary>
    public Version Complete(Piece[] parts, IEnumerable<string> partETags)
    {
        Content content = Crash.Content.Create(Seed, parts, out _);
        byte[] etags = [.. partETags.SelectMany(etag => Convert.FromHexString(etag.Trim('"')))];
        string etag = $"{Convert.ToHexStringLower(MD5.HashData(etags))}-{parts.Length}";
        return new Version(content, CustomerKey, etag, Version.FullObject("CRC64NVME", content.Crc64Nvme));
    }
}

/// <summary>What the workers did in one round, for the checks after the restart.</summary>
internal sealed class Round
{
    private readonly ConcurrentDictionary<string, byte> _keys = new();
    private readonly ConcurrentDictionary<string, byte> _settled = new();

    /// <summary>A round that starts from <paramref name="initial"/>: what each key held (null: nothing), as verified at the end of the last.</summary>
    public Round(int number, CrashWorld world, IReadOnlyDictionary<string, Version?> initial)
    {
        Number = number;
        foreach ((string key, Version? version) in initial)
        {
            Track(key, version);
            if (version is not null && world.IsWriteOnce(key))
            {
                _settled[key] = 0;
            }
        }
    }

    public int Number { get; }

    public WriteHistory<Version> History { get; } = new(version => version.ToString());

    /// <summary>Every key the checks read: the contended ones, the write-once ones alive at the start, those created since.</summary>
    public ICollection<string> Keys => _keys.Keys;

    /// <summary>Write-once keys created this round.</summary>
    public int Created;

    /// <summary>Write-once keys known to hold their one write (acknowledged, or seen after a restart): copy sources, and candidates for a delete.</summary>
    public int Settled => _settled.Count;

    public ConcurrentQueue<Upload> Uploads { get; } = new();

    public ConcurrentQueue<string> Acknowledged { get; } = new();

    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>CreateMultipartUploads in flight per key: an upload listed that no client knows must be one of them.</summary>
    public ConcurrentDictionary<string, int> InitiatesInFlight { get; } = new();

    /// <summary>Completes and copies in flight: the kill aims at one of them.</summary>
    public int CompletesInFlight;

    public int CopiesInFlight;

    public int InFlightAtKill;

    /// <summary>Clock ticks when the kill was decided; 0 before. Failures caught later are the kill's doing.</summary>
    public long KilledAt;

    /// <summary>A new write-once key, absent until its one write.</summary>
    public string CreateWriteOnce(CrashWorld world)
    {
        string key = world.NextWriteOnceKey();
        Track(key, null);
        Interlocked.Increment(ref Created);
        return key;
    }

    /// <summary>A write-once key's one write was acknowledged.</summary>
    public void Settle(string key) => _settled[key] = 0;

    /// <summary>A settled write-once key, picked at random (null: none).</summary>
    public string? AnySettled(Random random)
    {
        string[] settled = [.. _settled.Keys];
        return settled.Length == 0 ? null : settled[random.Next(settled.Length)];
    }

    /// <summary>Takes a settled write-once key at random for a delete, so that no other worker deletes or copies it meanwhile.</summary>
    public string? TakeSettled(Random random) => AnySettled(random) is { } key && _settled.TryRemove(key, out _) ? key : null;

    private void Track(string key, Version? version)
    {
        _keys[key] = 0;
        History.Assume(key, version, WriteHistory<Version>.Now);
    }
}

/// <summary>
/// What lasts across rounds: the keys, the customer keys, every upload a client learnt of, the seeds
/// handed out.
/// </summary>
internal sealed class CrashWorld
{
    private const string WriteOncePrefix = "once/";

    private long _seeds;
    private long _writeOnceKeys;

    /// <summary>Few keys, so writes of every kind keep landing on each other.</summary>
    public string[] Keys { get; } = ["k0", "dir/k1", "k2"];

    public CustomerKeys CustomerKeys { get; } = new(2);

    public ConcurrentDictionary<string, Upload> Uploads { get; } = new();

    public long NextSeed() => Interlocked.Increment(ref _seeds);

    /// <summary>
    /// Keys beside the contended ones that are written once (a PUT, a Complete or a copy) and perhaps
    /// deleted once, never anything else: whatever was acknowledged on them must read back exactly.
    /// </summary>
    public string NextWriteOnceKey() => $"{WriteOncePrefix}{Interlocked.Increment(ref _writeOnceKeys):D6}";

    public bool IsWriteOnce(string key) => key.StartsWith(WriteOncePrefix, StringComparison.Ordinal);
}
