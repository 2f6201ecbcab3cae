using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using FastS3.Crypto;

namespace FastS3.Benchmarks;

/// <summary>
/// SSE-C data encryption through <see cref="SegmentEncryptor"/>/<see cref="SegmentDecryptor"/>
/// next to a bare <see cref="AesGcm"/> loop over the same 4 KiB-aligned native buffers, 64 KiB
/// segments either way. GB/s = Size / Mean. The cipher objects are made once, as per object in a
/// server; per-op work (all segments of Size bytes) must allocate nothing. The encrypt benchmarks
/// keep one encryptor running (every segment costs the same, final or not); the one-time cost of an
/// object (fresh keys, seal, cipher set-up) is <see cref="NewObject"/>.
/// </summary>
[MemoryDiagnoser]
public unsafe class SegmentCryptoBenchmarks
{
    private const int S = SegmentFormat.SegmentSize;

    private readonly byte[] _clientKey = new byte[32];
    private readonly byte[] _oek = new byte[32];
    private byte* _plain;
    private byte* _stored;
    private byte* _output;
    private long _storedSize;
    private SegmentEncryptor? _encryptor;
    private SegmentDecryptor? _decryptor;
    private AesGcm? _raw;

    [Params(64 * 1024, 8 * 1024 * 1024)]
    public int Size { get; set; }

    private Span<byte> Plain => new(_plain, Size);

    private Span<byte> Stored => new(_stored, (int)_storedSize);

    private Span<byte> Output => new(_output, (int)_storedSize);

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        random.NextBytes(_clientKey);
        random.NextBytes(_oek);
        _storedSize = SegmentFormat.StoredSize(Size);
        _plain = (byte*)NativeMemory.AlignedAlloc((nuint)Size, 4096);
        _stored = (byte*)NativeMemory.AlignedAlloc((nuint)_storedSize, 4096);
        _output = (byte*)NativeMemory.AlignedAlloc((nuint)_storedSize, 4096);
        random.NextBytes(Plain);

        // A real stored object for the decrypt benchmarks, checked end to end.
        using (var whole = new SegmentEncryptor(_oek))
        {
            int at = whole.WriteHeader(Stored);
            for (int i = 0; i < Size / S; i++)
            {
                at += whole.EncryptSegment(Plain.Slice(i * S, S), i == (Size / S) - 1, Stored[at..]);
            }
        }

        if (!SegmentDecryptor.TryCreate(_oek, Stored[..SegmentFormat.HeaderSize], out _decryptor))
        {
            throw new InvalidOperationException("benchmark self-check failed: header");
        }

        _encryptor = new SegmentEncryptor(_oek);
        Span<byte> dataKey = stackalloc byte[32];
        ObjectKey.DeriveSubkey(_oek, Subkey.Data, dataKey);
        _raw = new AesGcm(dataKey, 16);
        CryptographicOperations.ZeroMemory(dataKey);
        if (Decrypt() != Size || !Output[..Size].SequenceEqual(Plain) || RawAesGcmDecrypt() != _storedSize || !Output[..Size].SequenceEqual(Plain))
        {
            throw new InvalidOperationException("benchmark self-check failed: round trip");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encryptor?.Dispose();
        _decryptor?.Dispose();
        _raw?.Dispose();
        NativeMemory.AlignedFree(_plain);
        NativeMemory.AlignedFree(_stored);
        NativeMemory.AlignedFree(_output);
    }

    /// <summary>Size bytes as 64 KiB segments through <see cref="SegmentEncryptor.EncryptSegment"/>.</summary>
    [Benchmark]
    public int Encrypt()
    {
        Span<byte> plain = Plain;
        Span<byte> output = Output;
        int at = SegmentFormat.HeaderSize;
        for (int i = 0; i < plain.Length; i += S)
        {
            at += _encryptor!.EncryptSegment(plain.Slice(i, S), final: false, output[at..]);
        }

        return at;
    }

    /// <summary>The same bytes through a bare <see cref="AesGcm.Encrypt(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte}, Span{byte}, ReadOnlySpan{byte})"/> loop.</summary>
    [Benchmark(Baseline = true)]
    public int RawAesGcmEncrypt()
    {
        Span<byte> plain = Plain;
        Span<byte> output = Output;
        Span<byte> nonce = stackalloc byte[12];
        nonce.Clear();
        ReadOnlySpan<byte> aad = new(_stored, SegmentFormat.HeaderSize);
        int at = SegmentFormat.HeaderSize;
        for (int i = 0; i < plain.Length; i += S)
        {
            BinaryPrimitives.WriteInt32BigEndian(nonce[8..], i / S);
            _raw!.Encrypt(nonce, plain.Slice(i, S), output.Slice(at, S), output.Slice(at + S, 16), aad);
            at += S + 16;
        }

        return at;
    }

    /// <summary>A whole stored object through <see cref="SegmentDecryptor.TryDecryptSegments"/>.</summary>
    [Benchmark]
    public int Decrypt()
    {
        if (!_decryptor!.TryDecryptSegments(0, endsWithFinal: true, Stored[SegmentFormat.HeaderSize..], Output, out int written))
        {
            throw new InvalidOperationException("did not authenticate");
        }

        return written;
    }

    /// <summary>The same segments through a bare <see cref="AesGcm.Decrypt(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte}, ReadOnlySpan{byte})"/> loop, tags checked.</summary>
    [Benchmark]
    public int RawAesGcmDecrypt()
    {
        Span<byte> stored = Stored;
        Span<byte> output = Output;
        ReadOnlySpan<byte> header = stored[..SegmentFormat.HeaderSize];
        Span<byte> nonce = stackalloc byte[12];
        header[8..].CopyTo(nonce);
        int count = Size / S;
        int at = SegmentFormat.HeaderSize;
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], (uint)i | (i == count - 1 ? 0x8000_0000u : 0));
            _raw!.Decrypt(nonce, stored.Slice(at, S), stored.Slice(at + S, 16), output.Slice(i * S, S), header);
            at += S + 16;
        }

        return at;
    }

    /// <summary>Per object, once: fresh OEK and IV, the seal, an encryptor (cipher set-up), the metadata blob and ETag. Allocates.</summary>
    [Benchmark]
    public int NewObject()
    {
        Span<byte> oek = stackalloc byte[32];
        Span<byte> iv = stackalloc byte[32];
        Span<byte> sealedKey = stackalloc byte[ObjectKey.SealedSize];
        Span<byte> blob = stackalloc byte[MetadataCipher.SealedLength(64)];
        Span<byte> etag = stackalloc byte[EncryptedETag.HexLength];
        ObjectKey.Create(_clientKey, "my-bucket"u8, "my-secret-diary"u8, oek, iv, sealedKey);
        using var encryptor = new SegmentEncryptor(oek);
        int n = encryptor.WriteHeader(Output);
        n += MetadataCipher.Seal(oek, Plain[..64], blob);
        n += EncryptedETag.Create(oek, etag);
        CryptographicOperations.ZeroMemory(oek);
        return n;
    }
}
