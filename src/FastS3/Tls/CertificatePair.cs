using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FastS3.Tls;

/// <summary>
/// The two PEM files as read at one moment, and what they load into. The key's bytes are zeroed on
/// dispose; <see cref="Stamp"/> tells one pair of contents from another without keeping them.
/// </summary>
internal sealed class CertificatePair : IDisposable
{
    private readonly byte[] _certificate;
    private readonly byte[] _key;
    private readonly string? _readError;

    private CertificatePair(byte[] certificate, byte[] key, string? readError)
    {
        _certificate = certificate;
        _key = key;
        _readError = readError;
        Stamp = [.. SHA256.HashData(certificate), .. SHA256.HashData(key), .. Encoding.UTF8.GetBytes(readError ?? "")];
    }

    /// <summary>SHA-256 of each file (and the read error, if any): equal stamps, same contents.</summary>
    public byte[] Stamp { get; }

    public static CertificatePair Read(string directory)
    {
        try
        {
            byte[] certificate = File.ReadAllBytes(Path.Combine(directory, CertificateFiles.PublicCertificate));
            byte[] key = File.ReadAllBytes(Path.Combine(directory, CertificateFiles.PrivateKey));
            return new CertificatePair(certificate, key, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new CertificatePair([], [], ex.Message);
        }
    }

    /// <summary>
    /// The certificate with its key and chain, ready for handshakes. Throws
    /// <see cref="InvalidCertificateException"/> saying what is wrong: a file missing or unreadable,
    /// no PEM certificate, a key that is unreadable or not this certificate's, a certificate expired
    /// or not yet valid.
    /// </summary>
    public (SslStreamCertificateContext Context, string Fingerprint, DateTime NotAfter) Load()
    {
        if (_readError is not null)
        {
            throw new InvalidCertificateException(_readError);
        }

        char[] certificateText = Encoding.ASCII.GetChars(_certificate);
        char[] keyText = Encoding.ASCII.GetChars(_key);
        try
        {
            X509Certificate2Collection chain = ReadChain(certificateText);
            CheckValidity(chain[0]);
            X509Certificate2 certificate = AttachKey(certificateText, keyText);
            try
            {
                var context = SslStreamCertificateContext.Create(certificate, new X509Certificate2Collection(chain.Skip(1).ToArray()), offline: true);
                return (context, CertificateFiles.Fingerprint(certificate), certificate.NotAfter);
            }
            catch (CryptographicException ex)
            {
                throw new InvalidCertificateException($"{CertificateFiles.PublicCertificate} cannot serve TLS ({ex.Message})");
            }
        }
        finally
        {
            Array.Clear(keyText);
        }
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);

    /// <summary>The certificate, then its intermediates.</summary>
    private static X509Certificate2Collection ReadChain(char[] pem)
    {
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidCertificateException($"{CertificateFiles.PublicCertificate} could not be parsed ({ex.Message})");
        }

        return chain.Count > 0 ? chain : throw new InvalidCertificateException($"{CertificateFiles.PublicCertificate} holds no PEM certificate");
    }

    private static void CheckValidity(X509Certificate2 certificate)
    {
        DateTime now = DateTime.Now;
        if (now > certificate.NotAfter)
        {
            throw new InvalidCertificateException($"{CertificateFiles.PublicCertificate} expired on {certificate.NotAfter.ToUniversalTime():u}");
        }

        if (now < certificate.NotBefore)
        {
            throw new InvalidCertificateException($"{CertificateFiles.PublicCertificate} is not valid before {certificate.NotBefore.ToUniversalTime():u}");
        }
    }

    /// <summary>The certificate with its private key; refused when the key is not its own.</summary>
    private static X509Certificate2 AttachKey(char[] certificatePem, char[] keyPem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new InvalidCertificateException(IsReadableKey(keyPem)
                ? $"{CertificateFiles.PrivateKey} is not the key of {CertificateFiles.PublicCertificate}"
                : $"{CertificateFiles.PrivateKey} holds no readable PEM private key (RSA or EC, unencrypted)");
        }
    }

    /// <summary>Whether the key parses at all, to tell a wrong key from a broken one.</summary>
    private static bool IsReadableKey(ReadOnlySpan<char> pem) => CanImport(ECDsa.Create(), pem) || CanImport(RSA.Create(), pem);

    private static bool CanImport(AsymmetricAlgorithm key, ReadOnlySpan<char> pem)
    {
        using (key)
        {
            try
            {
                key.ImportFromPem(pem);
                return true;
            }
            catch (Exception ex) when (ex is ArgumentException or CryptographicException)
            {
                return false;
            }
        }
    }
}

/// <summary>Why a certificate pair cannot be used; the message is for the operator's log.</summary>
internal sealed class InvalidCertificateException(string message) : Exception(message);
