using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FastS3.Http;

namespace FastS3.Tls;

/// <summary>
/// The certificate directory, laid out as MinIO's: public.crt and private.key in PEM. When neither
/// exists, a self-signed pair for localhost, 127.0.0.1 and ::1 is made there.
/// </summary>
internal static class CertificateFiles
{
    public const string PublicCertificate = "public.crt";
    public const string PrivateKey = "private.key";

    public static string DefaultDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".fasts3", "certs");

    public static SslStreamCertificateContext LoadOrCreate(string directory, IServerLog log)
    {
        string certPath = Path.Combine(directory, PublicCertificate);
        string keyPath = Path.Combine(directory, PrivateKey);
        if (!File.Exists(certPath) && !File.Exists(keyPath))
        {
            SelfSignedCertificate.WritePem(SelfSignedCertificate.DefaultHosts, directory, TimeSpan.FromDays(365));
            log.Warning($"no certificate in {directory}: generated a self-signed one for {string.Join(", ", SelfSignedCertificate.DefaultHosts)}");
        }

        X509Certificate2 certificate = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        log.Info($"TLS certificate {certPath}, SHA-256 fingerprint {Fingerprint(certificate)}");
        return SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
    }

    public static string Fingerprint(X509Certificate2 certificate)
        => string.Join(':', Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Select(pair => new string(pair)));
}
