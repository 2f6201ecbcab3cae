using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>
/// What the server negotiates, asked with openssl s_client against the real server over loopback,
/// as the JIT build (hosted in process) and as the native AOT binary (whose cipher-suite policy goes
/// through the same OpenSSL but is compiled ahead of time): TLS 1.2 and 1.3 only, AEAD suites only.
/// </summary>
[Trait("Store", "Disk")]
public sealed class TlsPolicyTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OnlyTls12And13WithAeadSuitesAreNegotiated(bool nativeAot)
    {
        await using TestServer server = nativeAot ? await ServerProcess.StartAsync(await NativeAotTests.Binary.Value) : await InProcessServer.StartAsync();
        int port = server.BaseUrl.Port;

        // SECLEVEL=0 lets the client offer what OpenSSL 3 would no longer send by itself.
        Assert.Null(await TlsProbe.OpenSslAsync(port, "-tls1", "-cipher", "DEFAULT@SECLEVEL=0"));
        Assert.Null(await TlsProbe.OpenSslAsync(port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"));

        // The generated certificate is ECDSA: CBC suites with it are refused, AEAD ones work.
        foreach (string cbc in new[] { "ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES256-SHA" })
        {
            Assert.Null(await TlsProbe.OpenSslAsync(port, "-tls1_2", "-cipher", cbc));
        }

        foreach (string aead in new[] { "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305" })
        {
            Assert.Equal(("TLSv1.2", aead), await TlsProbe.OpenSslAsync(port, "-tls1_2", "-cipher", aead));
        }

        foreach (string suite in new[] { "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256" })
        {
            Assert.Equal(("TLSv1.3", suite), await TlsProbe.OpenSslAsync(port, "-tls1_3", "-ciphersuites", suite));
        }

        Assert.Null(await TlsProbe.OpenSslAsync(port, "-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_SHA256"));
    }
}
