namespace FastS3.Auth;

/// <summary>
/// What a verified request's signature says about its body, kept for the body decoder: the payload
/// mode, the expected SHA-256, and for signed streams the key, scope, date and seed signature that
/// chain every chunk signature. One instance per connection, overwritten by each request.
/// </summary>
public sealed class SignatureContext
{
    internal const int MaxScopeLength = 128;

    public PayloadMode Payload { get; internal set; }

    /// <summary>
    /// True once the request's signature verified. Every request that reaches an operation is signed
    /// today; what anonymous access would be denied (response header overrides) asks this.
    /// </summary>
    public bool Authenticated { get; internal set; }

    /// <summary>The declared body SHA-256 when <see cref="Payload"/> is <see cref="PayloadMode.Sha256"/>.</summary>
    public byte[] PayloadSha256 { get; } = new byte[32];

    /// <summary>The body SHA-256 the signature covers; empty when it covers none.</summary>
    public ReadOnlySpan<byte> SignedPayloadSha256 => Payload == PayloadMode.Sha256 ? PayloadSha256 : default;

    internal byte[] SigningKey { get; } = new byte[32];

    /// <summary>Hex signature of the request (the seed of a chunk-signature chain).</summary>
    internal byte[] SeedSignature { get; } = new byte[64];

    internal byte[] AmzDate { get; } = new byte[16];

    internal byte[] ScopeBuffer { get; } = new byte[MaxScopeLength];

    internal int ScopeLength { get; set; }

    internal ReadOnlySpan<byte> Scope => ScopeBuffer.AsSpan(0, ScopeLength);

    public bool IsStreaming => Payload is PayloadMode.StreamingSigned or PayloadMode.StreamingSignedTrailer or PayloadMode.StreamingUnsignedTrailer;
}
