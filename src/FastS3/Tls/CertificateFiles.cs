using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FastS3.Http;

namespace FastS3.Tls;

/// <summary>
/// The certificate directory, laid out as MinIO's: public.crt (the certificate, then any
/// intermediates) and private.key, in PEM. When neither exists, a self-signed pair for localhost,
/// 127.0.0.1 and ::1 is made there.
/// </summary>
internal static class CertificateFiles
{
    public const string PublicCertificate = "public.crt";
    public const string PrivateKey = "private.key";

    public static string DefaultDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".fasts3", "certs");

    public static void CreateIfMissing(string directory, IServerLog log)
    {
        if (!File.Exists(Path.Combine(directory, PublicCertificate)) && !File.Exists(Path.Combine(directory, PrivateKey)))
        {
            SelfSignedCertificate.WritePem(SelfSignedCertificate.DefaultHosts, directory, TimeSpan.FromDays(365));
            log.Warning($"no certificate in {directory}: generated a self-signed one for {string.Join(", ", SelfSignedCertificate.DefaultHosts)}");
        }
    }

    public static string Fingerprint(X509Certificate2 certificate)
        => string.Join(':', Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Select(pair => new string(pair)));
}
