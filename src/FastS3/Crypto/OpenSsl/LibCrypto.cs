using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace FastS3.Crypto.OpenSsl;

/// <summary>
/// The few libcrypto (OpenSSL 3) calls the per-request crypto makes itself. .NET's AesGcm and
/// HMACSHA256 go through OpenSSL's legacy entry points, which look the algorithm up in the provider
/// tables (locks, string compares) and build a fresh context on every call: a few microseconds per
/// object key, metadata blob or subkey, i.e. most of what encryption added to a small GET. Here each
/// algorithm is fetched once for the process and contexts are kept and re-keyed (see
/// <see cref="GcmCipher"/>, <see cref="Sha256"/>). .NET itself loads this same library.
/// </summary>
internal static unsafe partial class LibCrypto
{
    private const string Library = "libcrypto.so.3";

    public const int GcmSetTag = 0x11;
    public const int GcmGetTag = 0x10;

    /// <summary>AES-256-GCM, fetched from the default provider once.</summary>
    public static readonly nint Aes256Gcm = FetchCipher("AES-256-GCM\0"u8);

    /// <summary>SHA-256, fetched from the default provider once.</summary>
    public static readonly nint Sha256Digest = FetchDigest("SHA256\0"u8);

    [LibraryImport(Library)]
    public static partial nint EVP_CIPHER_CTX_new();

    [LibraryImport(Library)]
    public static partial void EVP_CIPHER_CTX_free(nint context);

    /// <summary>enc: 1 encrypt, 0 decrypt. A null cipher or key keeps the context's; a null IV keeps none.</summary>
    [LibraryImport(Library)]
    public static partial int EVP_CipherInit_ex2(nint context, nint cipher, byte* key, byte* iv, int enc, nint parameters);

    [LibraryImport(Library)]
    public static partial int EVP_CipherUpdate(nint context, byte* output, out int outputLength, byte* input, int inputLength);

    [LibraryImport(Library)]
    public static partial int EVP_CipherFinal_ex(nint context, byte* output, out int outputLength);

    [LibraryImport(Library)]
    public static partial int EVP_CIPHER_CTX_ctrl(nint context, int type, int argument, byte* pointer);

    [LibraryImport(Library)]
    public static partial nint EVP_MD_CTX_new();

    [LibraryImport(Library)]
    public static partial void EVP_MD_CTX_free(nint context);

    [LibraryImport(Library)]
    public static partial int EVP_DigestInit_ex2(nint context, nint digest, nint parameters);

    [LibraryImport(Library)]
    public static partial int EVP_DigestUpdate(nint context, byte* data, nuint length);

    [LibraryImport(Library)]
    public static partial int EVP_DigestFinal_ex(nint context, byte* digest, out uint length);

    /// <summary>Drops this thread's queued OpenSSL errors, so a failed call (a tag mismatch) leaves nothing for the next user of the library to misread.</summary>
    [LibraryImport(Library)]
    public static partial void ERR_clear_error();

    [LibraryImport(Library)]
    private static partial nint EVP_CIPHER_fetch(nint libraryContext, byte* algorithm, byte* properties);

    [LibraryImport(Library)]
    private static partial nint EVP_MD_fetch(nint libraryContext, byte* algorithm, byte* properties);

    /// <summary>A failed call that should not fail (out of memory, a broken library): an exception, never a wrong answer.</summary>
    public static void Check(int result, string call)
    {
        if (result <= 0)
        {
            ERR_clear_error();
            throw new CryptographicException($"OpenSSL {call} failed.");
        }
    }

    /// <summary>Key, nonce, tag and digest sizes are fixed: a span of another length is a caller's bug.</summary>
    public static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"Expected {expected} bytes, got {actual}.", name);
        }
    }

    public static nint NewContext(nint context, string call)
        => context != 0 ? context : throw new CryptographicException($"OpenSSL {call} returned no context.");

    private static nint FetchCipher(ReadOnlySpan<byte> name)
    {
        fixed (byte* text = name)
        {
            return Fetched(EVP_CIPHER_fetch(0, text, null), name);
        }
    }

    private static nint FetchDigest(ReadOnlySpan<byte> name)
    {
        fixed (byte* text = name)
        {
            return Fetched(EVP_MD_fetch(0, text, null), name);
        }
    }

    private static nint Fetched(nint algorithm, ReadOnlySpan<byte> name)
        => algorithm != 0 ? algorithm : throw new CryptographicException($"OpenSSL 3 has no {System.Text.Encoding.ASCII.GetString(name[..^1])}.");
}
