using System.Globalization;
using System.Net.Http;

namespace FastS3.Upstream;

public sealed partial class UpstreamClient
{
    /// <summary>
    /// One ListObjectsV2 page. Asked with encoding-type=url, so keys of any bytes (control characters
    /// included, which XML 1.0 cannot carry) come back intact; they are decoded back to bytes.
    /// </summary>
    public Task<ListObjectsPage> ListObjectsAsync(string bucket, ListObjectsQuery query, CancellationToken cancellationToken = default)
    {
        var request = new UpstreamRequest(HttpMethod.Get, UpstreamNames.Path(bucket))
            .WithQuery("list-type", "2")
            .WithQuery("encoding-type", "url")
            .WithQuery("delimiter", query.Delimiter)
            .WithQuery("continuation-token", query.ContinuationToken)
            .WithQuery("max-keys", query.MaxKeys?.ToString(CultureInfo.InvariantCulture));
        if (!query.Prefix.IsEmpty)
        {
            request.WithQuery("prefix", query.Prefix.Span);
        }

        if (!query.StartAfter.IsEmpty)
        {
            request.WithQuery("start-after", query.StartAfter.Span);
        }

        return ExchangeAsync(request, idempotent: true,
            async (response, token) => ResponseXml.Objects(await DocumentAsync(response, token).ConfigureAwait(false)), cancellationToken);
    }
}
