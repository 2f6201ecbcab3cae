using System.Security.Cryptography;
using static FastS3.Crypto.OpenSsl.LibCrypto;

namespace FastS3.Crypto.OpenSsl;

/// <summary>
/// AES-256-GCM with 12-byte nonces and 16-byte tags on one OpenSSL context that is keyed once and
/// then only given a nonce per message (one object's segments), or re-keyed per message (the
/// calling thread's cipher, <see cref="OnThread"/>): no context is built per object key or metadata
/// blob. Output is what <see cref="AesGcm"/> gives for the same inputs. A context holds its key
/// schedule, so it is overwritten with an all-zero key when its user is done, and freed (cleansed
/// by OpenSSL) on dispose.
/// </summary>
public sealed unsafe class GcmCipher : IDisposable
{
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;

    [ThreadStatic]
    private static GcmCipher? t_thread;

    private nint _context;
    private bool _lent;

    /// <summary>A cipher keyed with <paramref name="key"/> for its whole life.</summary>
    public GcmCipher(ReadOnlySpan<byte> key)
        : this()
    {
        SetKey(key);
    }

    private GcmCipher()
    {
        _context = NewContext(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new");
        Check(EVP_CipherInit_ex2(_context, Aes256Gcm, null, null, 1, 0), "EVP_CipherInit_ex2");
    }

    ~GcmCipher() => Free();

    /// <summary>
    /// The calling thread's cipher keyed with <paramref name="key"/> until the scope is disposed (then
    /// wiped): for one or a few messages under a key that is not kept, in code that does not await.
    /// Scopes do not nest.
    /// </summary>
    public static Scope OnThread(scoped ReadOnlySpan<byte> key)
    {
        GcmCipher cipher = t_thread ??= new GcmCipher();
        if (cipher._lent)
        {
            throw new InvalidOperationException("The thread's GCM cipher is already in use.");
        }

        cipher.SetKey(key);
        cipher._lent = true;
        return new Scope(cipher);
    }

    /// <summary>Encrypts into <paramref name="ciphertext"/> (as long as the plaintext) and writes the tag.</summary>
    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData = default)
        => Check(Run(encrypt: true, nonce, plaintext, ciphertext, tag, associatedData), "EVP_CipherFinal_ex");

    /// <summary>
    /// Decrypts into <paramref name="plaintext"/> (as long as the ciphertext); false, with it zeroed,
    /// when the tag does not authenticate the ciphertext, nonce and associated data.
    /// </summary>
    public bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData = default)
    {
        // The tag is only read when decrypting: the span is writable for the shared path alone.
        Span<byte> expected = stackalloc byte[TagSize];
        tag.CopyTo(expected);
        if (Run(encrypt: false, nonce, ciphertext, plaintext, expected, associatedData) > 0)
        {
            return true;
        }

        ERR_clear_error();
        CryptographicOperations.ZeroMemory(plaintext[..ciphertext.Length]);
        return false;
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    /// <summary>One message under the context's key: the final call's result (≤ 0 on a tag mismatch when decrypting).</summary>
    private int Run(bool encrypt, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, Span<byte> output, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        CheckLength(nonce.Length, NonceSize, nameof(nonce));
        CheckLength(tag.Length, TagSize, nameof(tag));
        ArgumentOutOfRangeException.ThrowIfLessThan(output.Length, input.Length, nameof(output));
        fixed (byte* n = nonce)
        fixed (byte* i = input)
        fixed (byte* o = output)
        fixed (byte* t = tag)
        fixed (byte* a = associatedData)
        {
            Check(EVP_CipherInit_ex2(_context, 0, null, n, encrypt ? 1 : 0, 0), "EVP_CipherInit_ex2");
            if (!encrypt)
            {
                Check(EVP_CIPHER_CTX_ctrl(_context, GcmSetTag, TagSize, t), "EVP_CIPHER_CTX_ctrl");
            }

            if (associatedData.Length > 0)
            {
                Check(EVP_CipherUpdate(_context, null, out _, a, associatedData.Length), "EVP_CipherUpdate");
            }

            if (input.Length > 0)
            {
                Check(EVP_CipherUpdate(_context, o, out _, i, input.Length), "EVP_CipherUpdate");
            }

            int final = EVP_CipherFinal_ex(_context, o + input.Length, out _);
            if (final > 0 && encrypt)
            {
                Check(EVP_CIPHER_CTX_ctrl(_context, GcmGetTag, TagSize, t), "EVP_CIPHER_CTX_ctrl");
            }

            return final;
        }
    }

    private void SetKey(ReadOnlySpan<byte> key)
    {
        CheckLength(key.Length, KeySize, nameof(key));
        fixed (byte* k = key)
        {
            Check(EVP_CipherInit_ex2(_context, 0, k, null, 1, 0), "EVP_CipherInit_ex2");
        }
    }

    /// <summary>Overwrites the key schedule (and the GHASH key derived from it) with an all-zero key's.</summary>
    private void Wipe()
    {
        Span<byte> zero = stackalloc byte[KeySize];
        zero.Clear();
        SetKey(zero);
        _lent = false;
    }

    private void Free()
    {
        nint context = Interlocked.Exchange(ref _context, 0);
        if (context != 0)
        {
            EVP_CIPHER_CTX_free(context);
        }
    }

    /// <summary>The thread's cipher, lent until disposed; wiped then.</summary>
    public readonly ref struct Scope
    {
        internal Scope(GcmCipher cipher) => Cipher = cipher;

        public GcmCipher Cipher { get; }

        public void Dispose() => Cipher.Wipe();
    }
}
