using System.Net;
using FastS3.Load.Cli;
using FastS3.Load.Signing;

namespace FastS3.Load.Client;

/// <summary>A target with its connection pool and signing key, plus the few setup calls made outside measurement.</summary>
internal sealed class TargetSession(Target target, HttpMessageInvoker client, SigningKey key) : IDisposable
{
    public Target Target { get; } = target;

    public HttpMessageInvoker Client { get; } = client;

    public SigningKey Key { get; } = key;

    public static TargetSession Open(Target target, int connections, bool insecure, string region) =>
        new(target, HttpTransport.Create(connections, insecure), new SigningKey(target.AccessKey, target.SecretKey, region));

    /// <summary>CreateBucket, header-signed; a bucket we already own is fine.</summary>
    public async Task CreateBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = HttpTransport.Request(HttpMethod.Put, new Uri(Target.Url, "/" + bucket));
        string payloadHash = Target.IsHttps ? SigV4.UnsignedPayload : SigV4.EmptyPayloadSha256;
        HeaderSigner.Sign(request, Key, "/" + bucket, "", payloadHash, [], DateTime.UtcNow);
        using HttpResponseMessage response = await Client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && !(response.StatusCode == HttpStatusCode.Conflict && body.Contains("BucketAlreadyOwnedByYou", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"{Target.Name}: CreateBucket {bucket} answered {(int)response.StatusCode}: {body}");
        }
    }

    public void Dispose() => Client.Dispose();
}
