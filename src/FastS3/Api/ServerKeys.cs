using System.Buffers.Binary;
using System.Text;
using FastS3.Basics;
using FastS3.Crypto;
using FastS3.Http;
using FastS3.Kms;

namespace FastS3.Api;

/// <summary>
/// SSE-S3 and SSE-KMS data keys: each object's random key sealed under a bucket key of a KMS key
/// version, and the record field that keeps it (docs/encryption-format.md §13.4):
/// <code>
///   u8 seal algorithm (2 SSE-S3, 3 SSE-KMS) | IV (32) | sealed key (60)
///   | binding: u32 key version | u8 flags (1 bucket key) | u8 id length | KMS key id | u16 context length | context
/// </code>
/// The seal's associated data is "FastS3/SSE-KMS/v1/sealed-key" ‖ the algorithm ‖ the binding, so
/// the mode, key, version and encryption context cannot be changed on disk without the key failing
/// to open. No request needs to bring a key: the KMS opens it.
/// </summary>
internal static class ServerKeys
{
    public const byte SseS3Algorithm = 2;
    public const byte SseKmsAlgorithm = 3;

    private const int BindingStart = 1 + ObjectKey.IvSize + ObjectKey.SealedSize;

    /// <summary>The longest field this server writes: a 255-byte key id and the longest context.</summary>
    private const int MaxFieldLength = BindingStart + 8 + byte.MaxValue + ServerSideEncryption.MaxContextLength;

    public static bool IsServerAlgorithm(byte algorithm) => algorithm is SseS3Algorithm or SseKmsAlgorithm;

    /// <summary>
    /// Seals the data key <paramref name="dataKey"/> of the request's object under the KMS key
    /// <paramref name="request"/> names (SSE-S3: the server's), with a fresh IV, into a new field.
    /// </summary>
    public static S3Error? Seal(S3Call call, in ServerSideRequest request, DataKey dataKey, out byte[] field)
    {
        field = [];
        if (call.Kms is not { } kms)
        {
            return S3Errors.KmsUnavailable;
        }

        bool kmsMode = request.Algorithm == ServerSideAlgorithm.AwsKms;
        KmsKey? key = !kmsMode ? kms.ServerKey : request.KmsKeyId is null ? kms.AwsS3Key() : kms.Resolve(request.KmsKeyId);
        if (key is null)
        {
            return S3Errors.KmsKeyNotFound;
        }

        if (!key.Enabled)
        {
            return S3Errors.KmsKeyDisabled;
        }

        KeyVersion version = key.Current;
        byte[] context = request.Context ?? [];
        field = new byte[BindingStart + 4 + 1 + 1 + key.Id.Length + 2 + context.Length];
        field[0] = kmsMode ? SseKmsAlgorithm : SseS3Algorithm;
        Span<byte> binding = field.AsSpan(BindingStart);
        BinaryPrimitives.WriteUInt32BigEndian(binding, (uint)version.Number);
        binding[4] = (byte)(request.BucketKeyEnabled && kmsMode ? 1 : 0);
        binding[5] = (byte)key.Id.Length;
        Encoding.ASCII.GetBytes(key.Id, binding[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(binding[(6 + key.Id.Length)..], (ushort)context.Length);
        context.CopyTo(binding[(8 + key.Id.Length)..]);

        Span<byte> sealData = stackalloc byte[SealDataLength(field)];
        WriteSealData(field, sealData);
        ObjectKey.SealFresh(KeyWrap.Server(version.BucketKeyFor(call.BucketName), sealData), call.BucketName, call.Key, dataKey.Span, field.AsSpan(1, ObjectKey.IvSize), field.AsSpan(1 + ObjectKey.IvSize, ObjectKey.SealedSize));
        return null;
    }

    /// <summary>
    /// Opens the data key in <paramref name="field"/> for the object <paramref name="name"/> of
    /// <paramref name="bucket"/>: the KMS errors when its key is gone or disabled, ObjectTampered
    /// when the field does not open.
    /// </summary>
    public static S3Error? Open(S3Call call, ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> name, ReadOnlySpan<byte> field, out DataKey opened)
    {
        opened = default;
        if (!TryReadBinding(field, out int versionNumber, out _, out ReadOnlySpan<byte> keyId, out _))
        {
            return S3Errors.ObjectTampered;
        }

        if (call.Kms is not { } kms)
        {
            return S3Errors.KmsUnavailable;
        }

        KmsKey? key = kms.Ring.Find(keyId);
        KeyVersion? version = key?.Version(versionNumber);
        if (key is null || version is null)
        {
            return S3Errors.KmsKeyNotFound;
        }

        if (!key.Enabled)
        {
            return S3Errors.KmsKeyDisabled;
        }

        Span<byte> sealData = stackalloc byte[SealDataLength(field)];
        WriteSealData(field, sealData);
        DataKey dataKey = call.Keys.Take();
        if (!ObjectKey.TryUnseal(KeyWrap.Server(version.BucketKeyFor(bucket), sealData), bucket, name, field.Slice(1, ObjectKey.IvSize), field.Slice(1 + ObjectKey.IvSize, ObjectKey.SealedSize), dataKey.Writable))
        {
            dataKey.Dispose();
            return S3Errors.ObjectTampered;
        }

        opened = dataKey;
        return null;
    }

    /// <summary>
    /// The re-wrap after a rotation: <paramref name="field"/> again with its object key sealed under
    /// the newest version of its KMS key (same IV, data, metadata and ETag; a fresh seal nonce), or
    /// null when it is already there, is not server-keyed, or does not open (its key is gone, or it
    /// is damaged: reads report those).
    /// </summary>
    public static byte[]? Rewrap(BuiltInKms kms, ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> name, ReadOnlySpan<byte> field)
    {
        if (!TryReadBinding(field, out int versionNumber, out _, out ReadOnlySpan<byte> keyId, out _)
            || kms.Ring.Find(keyId) is not { } key || key.Version(versionNumber) is not { } version || version == key.Current)
        {
            return null;
        }

        byte[] rewrapped = field.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(rewrapped.AsSpan(BindingStart), (uint)key.Current.Number);
        Span<byte> oldSealData = stackalloc byte[SealDataLength(field)];
        Span<byte> newSealData = stackalloc byte[SealDataLength(field)];
        WriteSealData(field, oldSealData);
        WriteSealData(rewrapped, newSealData);
        bool resealed = ObjectKey.TryReseal(
            KeyWrap.Server(version.BucketKeyFor(bucket), oldSealData),
            KeyWrap.Server(key.Current.BucketKeyFor(bucket), newSealData),
            bucket,
            name,
            field.Slice(1, ObjectKey.IvSize),
            field.Slice(1 + ObjectKey.IvSize, ObjectKey.SealedSize),
            rewrapped.AsSpan(1 + ObjectKey.IvSize, ObjectKey.SealedSize));
        return resealed ? rewrapped : null;
    }

    /// <summary>Echoes the mode of a server-keyed object's <paramref name="field"/> (the SSE-KMS key as its ARN).</summary>
    public static void Echo(S3Call call, ReadOnlySpan<byte> field)
    {
        if (!TryReadBinding(field, out _, out bool bucketKey, out ReadOnlySpan<byte> keyId, out _))
        {
            return;
        }

        if (field[0] == SseS3Algorithm)
        {
            ServerSideEncryption.Echo(call.Response, ServerSideAlgorithm.Aes256, default, bucketKey);
            return;
        }

        ReadOnlySpan<byte> prefix = call.Kms?.ArnPrefixBytes;
        Span<byte> arn = stackalloc byte[prefix.Length + 4 + keyId.Length];
        int length = 0;
        Append(arn, ref length, prefix);
        Append(arn, ref length, "key/"u8);
        Append(arn, ref length, keyId);
        ServerSideEncryption.Echo(call.Response, ServerSideAlgorithm.AwsKms, arn[..length], bucketKey);
    }

    /// <summary>The encryption context stored in <paramref name="field"/> (JSON), empty when none was given.</summary>
    public static ReadOnlySpan<byte> ContextOf(ReadOnlySpan<byte> field)
        => TryReadBinding(field, out _, out _, out _, out ReadOnlySpan<byte> context) ? context : default;

    private static void Append(Span<byte> destination, ref int length, ReadOnlySpan<byte> text)
    {
        text.CopyTo(destination[length..]);
        length += text.Length;
    }

    private static bool TryReadBinding(ReadOnlySpan<byte> field, out int version, out bool bucketKey, out ReadOnlySpan<byte> keyId, out ReadOnlySpan<byte> context)
    {
        version = 0;
        bucketKey = false;
        keyId = default;
        context = default;
        if (field.Length < BindingStart + 8 || field.Length > MaxFieldLength || !IsServerAlgorithm(field[0]))
        {
            return false;
        }

        ReadOnlySpan<byte> binding = field[BindingStart..];
        version = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(binding), int.MaxValue);
        bucketKey = (binding[4] & 1) != 0;
        int idLength = binding[5];
        if (binding.Length < 8 + idLength)
        {
            return false;
        }

        keyId = binding.Slice(6, idLength);
        int contextLength = BinaryPrimitives.ReadUInt16BigEndian(binding[(6 + idLength)..]);
        if (binding.Length != 8 + idLength + contextLength)
        {
            return false;
        }

        context = binding.Slice(8 + idLength, contextLength);
        return true;
    }

    private static int SealDataLength(ReadOnlySpan<byte> field) => KeyWrap.ServerSealLabel.Length + 1 + (field.Length - BindingStart);

    /// <summary>"FastS3/SSE-KMS/v1/sealed-key" ‖ seal algorithm ‖ binding.</summary>
    private static void WriteSealData(ReadOnlySpan<byte> field, Span<byte> sealData)
    {
        KeyWrap.ServerSealLabel.CopyTo(sealData);
        sealData[KeyWrap.ServerSealLabel.Length] = field[0];
        field[BindingStart..].CopyTo(sealData[(KeyWrap.ServerSealLabel.Length + 1)..]);
    }
}
