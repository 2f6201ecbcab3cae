using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using FastS3.Basics;

namespace FastS3.Checksums;

/// <summary>
/// Hashes a body once, as it streams past, for everything a PUT must check or record: MD5 (the
/// plain-object ETag, Content-MD5), SHA-256 (a hex x-amz-content-sha256) and one S3 checksum.
/// The hash objects are created on first use and reset by each request, so a connection that
/// keeps uploading allocates nothing. Digests land in fixed buffers, big-endian as S3 encodes them.
/// One instance per connection; not thread-safe.
/// </summary>
public sealed class BodyHasher : IDisposable
{
    /// <summary>
    /// With several hashes on, data is fed in blocks of this size, each to every hash in turn, so
    /// the second and third hash read it from L1/L2 cache instead of memory.
    /// </summary>
    private const int BlockSize = 32 * 1024;

    private const int Md5Length = 16;
    private const int Sha256Length = 32;

    private readonly byte[] _md5Digest = new byte[Md5Length];
    private readonly byte[] _sha256Digest = new byte[Sha256Length];
    private readonly byte[] _checksum = new byte[ChecksumAlgorithmExtensions.MaxDigestLength];

    private IncrementalHash? _md5;
    private IncrementalHash? _sha256;
    private IncrementalHash? _sha1;
    private Crc32? _crc32;
    private Crc32? _crc32c;
    private Crc64? _crc64nvme;

    private bool _md5On;

    // On for a hex x-amz-content-sha256 or a SHA256 checksum: one SHA-256 serves both.
    private bool _sha256On;

    // The checksum needs a hasher of its own (every algorithm but SHA256).
    private bool _separateChecksum;
    private ChecksumAlgorithm _algorithm;
    private State _state;
    private long _length;

    private enum State : byte
    {
        Idle,
        Hashing,
        Finished,
    }

    /// <summary>The S3 checksum being computed (None if only MD5/SHA-256 were asked for).</summary>
    public ChecksumAlgorithm Algorithm => _algorithm;

    /// <summary>Bytes appended since <see cref="Begin(bool, bool, ChecksumAlgorithm)"/>.</summary>
    public long Length => _length;

    /// <summary>The MD5 of the body, after <see cref="Finish"/>, if it was asked for.</summary>
    public ReadOnlySpan<byte> Md5 => Result(_md5On, _md5Digest);

    /// <summary>The SHA-256 of the body, after <see cref="Finish"/>, if it was asked for (or is the checksum).</summary>
    public ReadOnlySpan<byte> Sha256 => Result(_sha256On, _sha256Digest);

    /// <summary>The raw big-endian S3 checksum (4, 8, 20 or 32 bytes), after <see cref="Finish"/>.</summary>
    public ReadOnlySpan<byte> Checksum => Result(_algorithm != ChecksumAlgorithm.None, _checksum.AsSpan(0, _algorithm.DigestLength));

    /// <summary>Starts a body. A body abandoned half-way (the client went away) is discarded here.</summary>
    public void Begin(bool md5, bool sha256, ChecksumAlgorithm algorithm)
    {
        if (algorithm > ChecksumAlgorithm.Sha256)
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm));
        }

        if (_state == State.Hashing)
        {
            Finish();
        }

        _md5On = md5;
        _sha256On = sha256 || algorithm == ChecksumAlgorithm.Sha256;
        _separateChecksum = algorithm is not (ChecksumAlgorithm.None or ChecksumAlgorithm.Sha256);
        _algorithm = algorithm;
        _length = 0;
        _state = State.Hashing;
        if (md5)
        {
            _md5 ??= IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        }

        if (_sha256On)
        {
            _sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        switch (algorithm)
        {
            case ChecksumAlgorithm.Crc32:
                _crc32 ??= new Crc32(Crc32ParameterSet.Crc32);
                break;
            case ChecksumAlgorithm.Crc32C:
                _crc32c ??= new Crc32(Crc32ParameterSet.Crc32C);
                break;
            case ChecksumAlgorithm.Crc64Nvme:
                _crc64nvme ??= new Crc64(Crc64ParameterSet.Nvme);
                break;
            case ChecksumAlgorithm.Sha1:
                _sha1 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
                break;
        }
    }

    /// <summary>
    /// Starts a body as <paramref name="checksums"/> declares it: its checksum (or the CRC64NVME
    /// default), and MD5 when Content-MD5 must be verified even if no ETag needs it.
    /// </summary>
    public void Begin(ChecksumRequest checksums, bool md5, bool sha256)
        => Begin(md5 || checksums.HasContentMd5, sha256, checksums.ComputedAlgorithm);

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_state != State.Hashing)
        {
            ThrowNotHashing();
        }

        _length += data.Length;
        if (!_md5On && !_sha256On)
        {
            // A CRC alone streams through at 10+ GB/s; blocking would only add calls.
            if (_separateChecksum)
            {
                AppendChecksum(data);
            }

            return;
        }

        while (data.Length > BlockSize)
        {
            AppendBlock(data[..BlockSize]);
            data = data[BlockSize..];
        }

        AppendBlock(data);
    }

    public void Append(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            Append(data.FirstSpan);
            return;
        }

        foreach (ReadOnlyMemory<byte> segment in data)
        {
            Append(segment.Span);
        }
    }

    /// <summary>Completes every digest into its buffer and readies the hash objects for the next body.</summary>
    public void Finish()
    {
        if (_state != State.Hashing)
        {
            ThrowNotHashing();
        }

        if (_md5On)
        {
            _md5!.GetHashAndReset(_md5Digest);
        }

        if (_sha256On)
        {
            _sha256!.GetHashAndReset(_sha256Digest);
        }

        // System.IO.Hashing returns CRC bytes little-endian; S3 sends them big-endian.
        Span<byte> checksum = _checksum;
        switch (_algorithm)
        {
            case ChecksumAlgorithm.Crc32:
                BinaryPrimitives.WriteUInt32BigEndian(checksum, _crc32!.GetCurrentHashAsUInt32());
                _crc32.Reset();
                break;
            case ChecksumAlgorithm.Crc32C:
                BinaryPrimitives.WriteUInt32BigEndian(checksum, _crc32c!.GetCurrentHashAsUInt32());
                _crc32c.Reset();
                break;
            case ChecksumAlgorithm.Crc64Nvme:
                BinaryPrimitives.WriteUInt64BigEndian(checksum, _crc64nvme!.GetCurrentHashAsUInt64());
                _crc64nvme.Reset();
                break;
            case ChecksumAlgorithm.Sha1:
                _sha1!.GetHashAndReset(checksum[..20]);
                break;
            case ChecksumAlgorithm.Sha256:
                _sha256Digest.CopyTo(checksum);
                break;
        }

        _state = State.Finished;
    }

    /// <summary>Writes the checksum's base64 (at most <see cref="DigestBase64.MaxLength"/> bytes), e.g. for the response header.</summary>
    public int WriteChecksumBase64(Span<byte> destination) => DigestBase64.Encode(Checksum, destination);

    /// <summary>
    /// Checks the finished body against everything the request promised: the signed payload hash
    /// (<paramref name="signedSha256"/>, empty when the signature covers none) first, then
    /// Content-MD5, then the S3 checksum. Null when all match.
    /// </summary>
    public S3Error? Verify(ChecksumRequest checksums, ReadOnlySpan<byte> signedSha256)
    {
        if (!signedSha256.IsEmpty && VerifyPayloadSha256(signedSha256) is { } payloadError)
        {
            return payloadError;
        }

        if (checksums.HasContentMd5 && VerifyContentMd5(checksums.ContentMd5) is { } md5Error)
        {
            return md5Error;
        }

        if (checksums.IsTrailer && !checksums.HasExpectedChecksum)
        {
            // The trailer was declared but never handed over: treat it as never sent.
            return S3Errors.MalformedTrailerError;
        }

        return checksums.HasExpectedChecksum ? VerifyChecksum(checksums.Algorithm, checksums.ExpectedChecksum) : null;
    }

    /// <summary>XAmzContentSHA256Mismatch unless the body's SHA-256 is <paramref name="expected"/>.</summary>
    public S3Error? VerifyPayloadSha256(ReadOnlySpan<byte> expected)
        => Sha256.SequenceEqual(expected) ? null : S3Errors.XAmzContentSHA256Mismatch;

    /// <summary>BadDigest unless the body's MD5 is <paramref name="expected"/>.</summary>
    public S3Error? VerifyContentMd5(ReadOnlySpan<byte> expected)
        => Md5.SequenceEqual(expected) ? null : ChecksumErrors.ContentMd5Mismatch;

    /// <summary>BadDigest ("The CRC32 you specified…") unless the body's checksum is <paramref name="expected"/>.</summary>
    public S3Error? VerifyChecksum(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> expected)
    {
        if (algorithm != _algorithm)
        {
            throw new InvalidOperationException("The body was hashed with a different checksum algorithm.");
        }

        return Checksum.SequenceEqual(expected) ? null : ChecksumErrors.Mismatch(algorithm);
    }

    public void Dispose()
    {
        _md5?.Dispose();
        _sha256?.Dispose();
        _sha1?.Dispose();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AppendBlock(ReadOnlySpan<byte> block)
    {
        if (_md5On)
        {
            _md5!.AppendData(block);
        }

        if (_sha256On)
        {
            _sha256!.AppendData(block);
        }

        if (_separateChecksum)
        {
            AppendChecksum(block);
        }
    }

    /// <summary>Feeds the checksum's own hasher (never SHA256, which shares the payload hash).</summary>
    private void AppendChecksum(ReadOnlySpan<byte> data)
    {
        switch (_algorithm)
        {
            case ChecksumAlgorithm.Crc32:
                _crc32!.Append(data);
                break;
            case ChecksumAlgorithm.Crc32C:
                _crc32c!.Append(data);
                break;
            case ChecksumAlgorithm.Crc64Nvme:
                _crc64nvme!.Append(data);
                break;
            case ChecksumAlgorithm.Sha1:
                _sha1!.AppendData(data);
                break;
        }
    }

    private ReadOnlySpan<byte> Result(bool computed, ReadOnlySpan<byte> digest)
    {
        if (_state != State.Finished || !computed)
        {
            ThrowNotComputed();
        }

        return digest;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotHashing() => throw new InvalidOperationException("Begin was not called, or the body was already finished.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotComputed() => throw new InvalidOperationException("That digest was not computed for this body.");
}
