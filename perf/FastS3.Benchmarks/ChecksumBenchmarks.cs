using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using FastS3.Checksums;
using FastS3.Http;

namespace FastS3.Benchmarks;

/// <summary>
/// One pass of <see cref="BodyHasher"/> over a body, per configuration a PUT can ask for, each a
/// full Begin/Append/Finish cycle on a reused hasher as a connection runs it. GB/s = Size / Mean.
/// Every benchmark must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class ChecksumBenchmarks
{
    private readonly BodyHasher _hasher = new();
    private byte[] _body = [];
    private ReadOnlySequence<byte> _segmented;

    [Params(64 * 1024, 8 * 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = new byte[Size];
        new Random(1).NextBytes(_body);

        // As the transport hands a body over: one 4 KiB pipe segment after another.
        _segmented = BufferSegment.Split(_body, [.. Enumerable.Range(1, (Size / 4096) - 1).Select(i => i * 4096)]);
        Verify();
    }

    [GlobalCleanup]
    public void Cleanup() => _hasher.Dispose();

    [Benchmark]
    public byte Crc32() => Hash(md5: false, sha256: false, ChecksumAlgorithm.Crc32);

    [Benchmark]
    public byte Crc32C() => Hash(md5: false, sha256: false, ChecksumAlgorithm.Crc32C);

    [Benchmark]
    public byte Crc64Nvme() => Hash(md5: false, sha256: false, ChecksumAlgorithm.Crc64Nvme);

    /// <summary>A hex x-amz-content-sha256 body (the checksum off, to isolate SHA-256).</summary>
    [Benchmark]
    public byte Sha256() => Hash(md5: false, sha256: true, ChecksumAlgorithm.None);

    /// <summary>The plain-object default: MD5 for the ETag and the CRC64NVME S3 stores.</summary>
    [Benchmark(Baseline = true)]
    public byte Md5Crc64Nvme() => Hash(md5: true, sha256: false, ChecksumAlgorithm.Crc64Nvme);

    /// <summary>The same, fed as the transport delivers it, in 4 KiB segments.</summary>
    [Benchmark]
    public byte Md5Crc64Nvme_4KiBSegments()
    {
        _hasher.Begin(md5: true, sha256: false, ChecksumAlgorithm.Crc64Nvme);
        _hasher.Append(_segmented);
        _hasher.Finish();
        return _hasher.Checksum[0];
    }

    private byte Hash(bool md5, bool sha256, ChecksumAlgorithm algorithm)
    {
        _hasher.Begin(md5, sha256, algorithm);
        _hasher.Append(_body);
        _hasher.Finish();
        return sha256 ? _hasher.Sha256[0] : _hasher.Checksum[0];
    }

    private void Verify()
    {
        Span<byte> expected = stackalloc byte[8];
        Md5Crc64Nvme();
        BinaryPrimitives.WriteUInt64BigEndian(expected, Crc64.HashToUInt64(Crc64ParameterSet.Nvme, _body));
        Expect(_hasher.Checksum.SequenceEqual(expected) && _hasher.Md5.SequenceEqual(MD5.HashData(_body)), "MD5+CRC64NVME");
        Md5Crc64Nvme_4KiBSegments();
        Expect(_hasher.Checksum.SequenceEqual(expected) && _hasher.Md5.SequenceEqual(MD5.HashData(_body)), "MD5+CRC64NVME, segmented");
        Crc32();
        BinaryPrimitives.WriteUInt32BigEndian(expected, System.IO.Hashing.Crc32.HashToUInt32(_body));
        Expect(_hasher.Checksum.SequenceEqual(expected[..4]), "CRC32");
        Sha256();
        Expect(_hasher.Sha256.SequenceEqual(SHA256.HashData(_body)), "SHA-256");

        static void Expect(bool condition, string what)
        {
            if (!condition)
            {
                throw new InvalidOperationException($"benchmark self-check failed: {what}");
            }
        }
    }
}

/// <summary>Validating the checksum headers of aws-cli's PutObject (trailer + SDK algorithm): per request, zero allocation.</summary>
[MemoryDiagnoser]
public class ChecksumHeaderBenchmarks
{
    private static readonly HttpLimits Limits = new();
    private readonly ChecksumRequest _checksums = new();
    private HttpRequest? _request;

    [GlobalSetup]
    public void Setup()
    {
        byte[] put = Fixtures.Read("awscli-put-object-https.bin");
        byte[] head = put[..(put.AsSpan().IndexOf("\r\n\r\n"u8) + 4)];
        _request = new HttpConnection(new HttpServer(new HttpServerOptions(), new NoApplication())).Request;
        _request.Parse(head, Limits);
        if (ParseChecksumHeaders_PutObject() != ChecksumAlgorithm.Crc32 || !_checksums.IsTrailer)
        {
            throw new InvalidOperationException("benchmark self-check failed: PutObject declares a CRC32 trailer");
        }
    }

    [Benchmark]
    public ChecksumAlgorithm ParseChecksumHeaders_PutObject()
    {
        if (_checksums.Parse(_request!, trailers: true) is not null)
        {
            throw new InvalidOperationException("rejected");
        }

        return _checksums.Algorithm;
    }

    private sealed class NoApplication : IHttpApplication
    {
        public ValueTask ProcessAsync(HttpRequest request, HttpResponse response) => ValueTask.CompletedTask;
    }
}
