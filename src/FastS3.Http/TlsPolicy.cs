using System.Net.Security;
using System.Security.Authentication;

namespace FastS3.Http;

/// <summary>
/// The TLS the server speaks: versions 1.2 and 1.3, and only AEAD cipher suites (AES-GCM,
/// ChaCha20-Poly1305), in TLS 1.2 only with ECDHE key exchange. CBC suites (MAC-then-encrypt,
/// padding oracles), static RSA key exchange (no forward secrecy) and everything weaker are never
/// negotiated, whatever the system's OpenSSL defaults allow.
/// </summary>
internal static class TlsPolicy
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    public static readonly CipherSuitesPolicy CipherSuites = new(
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);
}
