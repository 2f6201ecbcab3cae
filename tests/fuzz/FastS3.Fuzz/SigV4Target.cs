using FastS3.Auth;

namespace FastS3.Fuzz;

/// <summary>
/// SigV4 verification of whole request heads: the Authorization header and presigned-query parsers,
/// dates, scope, the canonical request and the signature. Verify must answer null or an S3 error for
/// any request; it never throws. The clock and key are those of the captured seeds (tests/fuzz/corpus/sigv4),
/// so mutations start from requests that authenticate.
/// </summary>
internal static class SigV4Target
{
    /// <summary>When the seed requests were captured (tests/fuzz/README.md).</summary>
    public static readonly DateTimeOffset CaptureTime = new(2026, 11, 27, 15, 56, 30, TimeSpan.Zero);

    private static readonly AccessKeys Keys = new("fasts3admin", "fasts3admin-secret-change-me");

    /// <summary>Input: what a client sends on one connection (served whole and in pieces of up to 256 bytes).</summary>
    public static void Run(byte[] input) => Connection.ServeBothWays(new VerifyingApplication(), input, 255);

    private sealed class VerifyingApplication : TranscriptApplication
    {
        // One per input, so its signing-key cache starts empty every time and runs stay repeatable.
        private readonly SigV4Verifier _verifier = new(Keys, new FixedClock());
        private readonly SignatureContext _signature = new();

        public override ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
        {
            Transcript.Add(_verifier.Verify(request, _signature)?.Code ?? $"authentic {_signature.Payload}");
            response.ContentLength = 0;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => CaptureTime;
    }
}
