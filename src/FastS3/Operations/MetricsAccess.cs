using FastS3.Api;
using FastS3.Auth;
using FastS3.Http;

namespace FastS3.Operations;

/// <summary>
/// Who may read the metrics, as MinIO decides it: anyone when they are public
/// (<c>FASTS3_PROMETHEUS_AUTH_TYPE=public</c>), otherwise a request bearing a Prometheus token
/// (<see cref="PrometheusToken"/>) or signed with SigV4 by the root key.
/// </summary>
internal sealed class MetricsAccess(bool isPublic, AccessKeys keys, SigV4Verifier verifier, TimeProvider clock)
{
    public bool Allows(HttpRequest request, SignatureContext signature)
    {
        if (isPublic)
        {
            return true;
        }

        if (request.Headers.TryGetValue("authorization"u8, out ReadOnlySpan<byte> authorization) && authorization.StartsWith("Bearer "u8))
        {
            return PrometheusToken.Verify(authorization["Bearer "u8.Length..].Trim((byte)' '), keys, clock.GetUtcNow());
        }

        return verifier.Verify(request, signature) is null;
    }
}
