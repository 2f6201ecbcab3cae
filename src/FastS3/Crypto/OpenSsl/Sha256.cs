using System.Security.Cryptography;
using static FastS3.Crypto.OpenSsl.LibCrypto;

namespace FastS3.Crypto.OpenSsl;

/// <summary>
/// SHA-256 and HMAC-SHA256 (RFC 2104) on the calling thread's digest context, with the algorithm
/// fetched once: the key derivations, seals and SigV4 signatures of every request, without the
/// per-call lookup and context that <see cref="HMACSHA256.HashData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>
/// costs. Results equal .NET's. Nothing is left behind: pads and the inner hash are zeroed, and the
/// context is re-initialised once each call is done so its state no longer holds the last output.
/// </summary>
public static unsafe class Sha256
{
    public const int Size = 32;
    private const int BlockSize = 64;

    [ThreadStatic]
    private static DigestContext? t_context;

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        CheckLength(digest.Length, Size, nameof(digest));
        nint context = Context();
        try
        {
            fixed (byte* d = data)
            fixed (byte* output = digest)
            {
                Digest(context, d, data.Length, null, 0, output);
            }
        }
        finally
        {
            Reset(context);
        }
    }

    /// <summary>HMAC-SHA256(<paramref name="key"/>, <paramref name="message"/>); <paramref name="mac"/> may overlap either.</summary>
    public static void Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> mac)
    {
        CheckLength(mac.Length, Size, nameof(mac));
        nint context = Context();
        byte* pad = stackalloc byte[BlockSize];
        byte* inner = stackalloc byte[Size];
        byte* hashedKey = stackalloc byte[Size];
        try
        {
            fixed (byte* k = key)
            fixed (byte* m = message)
            {
                // A key longer than a block is hashed first (RFC 2104); a shorter one is zero-padded.
                ReadOnlySpan<byte> blockKey = key;
                if (key.Length > BlockSize)
                {
                    Digest(context, k, key.Length, null, 0, hashedKey);
                    blockKey = new ReadOnlySpan<byte>(hashedKey, Size);
                }

                Pad(blockKey, 0x36, pad);
                Digest(context, pad, BlockSize, m, message.Length, inner);
                Pad(blockKey, 0x5c, pad);
            }

            // The key and message are consumed: only now is the output written.
            Digest(context, pad, BlockSize, inner, Size, inner);
            new ReadOnlySpan<byte>(inner, Size).CopyTo(mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(new Span<byte>(pad, BlockSize));
            CryptographicOperations.ZeroMemory(new Span<byte>(inner, Size));
            CryptographicOperations.ZeroMemory(new Span<byte>(hashedKey, Size));
            Reset(context);
        }
    }

    private static void Pad(ReadOnlySpan<byte> key, byte value, byte* pad)
    {
        var block = new Span<byte>(pad, BlockSize);
        block.Clear();
        key.CopyTo(block);
        for (int i = 0; i < BlockSize; i++)
        {
            pad[i] ^= value;
        }
    }

    /// <summary>SHA-256(first ‖ second) into <paramref name="output"/>; the context keeps the state that gave it until <see cref="Reset"/>.</summary>
    private static void Digest(nint context, byte* first, int firstLength, byte* second, int secondLength, byte* output)
    {
        Check(EVP_DigestInit_ex2(context, Sha256Digest, 0), "EVP_DigestInit_ex2");
        if (firstLength > 0)
        {
            Check(EVP_DigestUpdate(context, first, (nuint)firstLength), "EVP_DigestUpdate");
        }

        if (secondLength > 0)
        {
            Check(EVP_DigestUpdate(context, second, (nuint)secondLength), "EVP_DigestUpdate");
        }

        Check(EVP_DigestFinal_ex(context, output, out _), "EVP_DigestFinal_ex");
    }

    /// <summary>Re-initialises the context once a caller is done (whatever happened), so its state no longer holds the last output.</summary>
    private static void Reset(nint context) => Check(EVP_DigestInit_ex2(context, Sha256Digest, 0), "EVP_DigestInit_ex2");

    private static nint Context() => (t_context ??= new DigestContext()).Handle;

    /// <summary>One thread's EVP_MD_CTX, freed when the thread is gone.</summary>
    private sealed class DigestContext
    {
        public readonly nint Handle = NewContext(EVP_MD_CTX_new(), "EVP_MD_CTX_new");

        ~DigestContext() => EVP_MD_CTX_free(Handle);
    }
}
