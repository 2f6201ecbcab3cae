using System.Net;
using System.Net.Http;
using System.Text;

namespace FastS3.Upstream;

public sealed partial class UpstreamClient
{
    public Task<List<UpstreamBucket>> ListBucketsAsync(CancellationToken cancellationToken = default)
        => ExchangeAsync(new UpstreamRequest(HttpMethod.Get, "/"), idempotent: true,
            async (response, token) => ResponseXml.Buckets(await DocumentAsync(response, token).ConfigureAwait(false)), cancellationToken);

    /// <summary>Creates <paramref name="bucket"/> in the client's region (a LocationConstraint for any but us-east-1).</summary>
    public Task CreateBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        byte[]? configuration = _options.Region == "us-east-1" ? null : Encoding.UTF8.GetBytes(
            $"<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>{_options.Region}</LocationConstraint></CreateBucketConfiguration>");
        return ExchangeAsync(new UpstreamRequest(HttpMethod.Put, UpstreamNames.Path(bucket)) { Body = configuration }, idempotent: false, NoBodyAsync, cancellationToken);
    }

    public Task<BucketState> HeadBucketAsync(string bucket, CancellationToken cancellationToken = default)
        => ExchangeAsync(new UpstreamRequest(HttpMethod.Head, UpstreamNames.Path(bucket)), idempotent: true, async (response, token) =>
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.NotFound: return BucketState.Missing;
                case HttpStatusCode.Forbidden: return BucketState.Forbidden;
                default:
                    await EnsureSuccessAsync(response, token).ConfigureAwait(false);
                    return BucketState.Exists;
            }
        }, cancellationToken);

    public Task DeleteBucketAsync(string bucket, CancellationToken cancellationToken = default)
        => ExchangeAsync(new UpstreamRequest(HttpMethod.Delete, UpstreamNames.Path(bucket)), idempotent: true, NoBodyAsync, cancellationToken);
}
