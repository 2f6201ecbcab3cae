using System.Globalization;
using System.Net.Http;

namespace FastS3.Upstream;

public sealed partial class UpstreamClient
{
    /// <summary>Starts a multipart upload; content type and metadata are given here, not at Complete.</summary>
    public Task<string> CreateMultipartUploadAsync(string bucket, ReadOnlyMemory<byte> key, PutOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new UpstreamRequest(HttpMethod.Post, UpstreamNames.Path(bucket, key.Span))
            .WithQuery("uploads")
            .WithHeader("content-type", options?.ContentType)
            .WithMetadata(options?.Metadata);
        return ExchangeAsync(request, idempotent: false,
            async (response, token) => ResponseXml.Leaf(await DocumentAsync(response, token).ConfigureAwait(false), "InitiateMultipartUploadResult", "UploadId"), cancellationToken);
    }

    /// <summary>Starts a part's PUT, streamed like <see cref="StartPutObject"/>.</summary>
    public UpstreamUpload StartUploadPart(string bucket, ReadOnlyMemory<byte> key, string uploadId, int partNumber, long length, CancellationToken cancellationToken = default)
        => Upload(PartRequest(HttpMethod.Put, bucket, key, uploadId, partNumber), length, cancellationToken);

    /// <summary>A part copied from (a range of) another object, optionally only if that object's ETag still matches.</summary>
    public Task<CopyResult> UploadPartCopyAsync(string sourceBucket, ReadOnlyMemory<byte> sourceKey, string bucket, ReadOnlyMemory<byte> key, string uploadId, int partNumber,
        (long First, long Last)? sourceRange = null, string? sourceIfMatch = null, CancellationToken cancellationToken = default)
    {
        UpstreamRequest request = PartRequest(HttpMethod.Put, bucket, key, uploadId, partNumber)
            .WithHeader("x-amz-copy-source", UpstreamNames.Path(sourceBucket, sourceKey.Span))
            .WithHeader("x-amz-copy-source-if-match", sourceIfMatch)
            .WithHeader("x-amz-copy-source-range", sourceRange is (long first, long last) ? string.Create(CultureInfo.InvariantCulture, $"bytes={first}-{last}") : null);
        return ExchangeAsync(request, idempotent: false, async (response, token) =>
        {
            (string etag, DateTimeOffset modified) = ResponseXml.CopyResult(await DocumentAsync(response, token).ConfigureAwait(false));
            return new CopyResult(etag, modified);
        }, cancellationToken);
    }

    /// <summary>
    /// Completes the upload and returns the ETag the upstream wrote (RGW 16.2 writes an empty one: HEAD
    /// for the real one). Parts' ETags go as UploadPart/UploadPartCopy returned them. An &lt;Error&gt;
    /// in a 200 is thrown like any error.
    /// </summary>
    public Task<string> CompleteMultipartUploadAsync(string bucket, ReadOnlyMemory<byte> key, string uploadId, IReadOnlyList<CompletedPart> parts,
        CompleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new UpstreamRequest(HttpMethod.Post, UpstreamNames.Path(bucket, key.Span)) { Body = RequestXml.Complete(parts) }
            .WithQuery("uploadId", uploadId)
            .WithHeader("content-type", "application/xml")
            .WithHeader("if-match", options?.IfMatch)
            .WithHeader("if-none-match", options?.IfNoneMatch);
        return ExchangeAsync(request, idempotent: false,
            async (response, token) => ResponseXml.Leaf(await DocumentAsync(response, token).ConfigureAwait(false), "CompleteMultipartUploadResult", "ETag"), cancellationToken);
    }

    public Task AbortMultipartUploadAsync(string bucket, ReadOnlyMemory<byte> key, string uploadId, CancellationToken cancellationToken = default)
        => ExchangeAsync(new UpstreamRequest(HttpMethod.Delete, UpstreamNames.Path(bucket, key.Span)).WithQuery("uploadId", uploadId), idempotent: true, NoBodyAsync, cancellationToken);

    /// <summary>One page of an upload's parts, after <paramref name="partNumberMarker"/>.</summary>
    public Task<ListPartsPage> ListPartsAsync(string bucket, ReadOnlyMemory<byte> key, string uploadId, int? partNumberMarker = null, int? maxParts = null, CancellationToken cancellationToken = default)
    {
        var request = new UpstreamRequest(HttpMethod.Get, UpstreamNames.Path(bucket, key.Span))
            .WithQuery("uploadId", uploadId)
            .WithQuery("part-number-marker", partNumberMarker?.ToString(CultureInfo.InvariantCulture))
            .WithQuery("max-parts", maxParts?.ToString(CultureInfo.InvariantCulture));
        return ExchangeAsync(request, idempotent: true,
            async (response, token) => ResponseXml.Parts(await DocumentAsync(response, token).ConfigureAwait(false)), cancellationToken);
    }

    /// <summary>One page of the bucket's uploads in progress (keys URL-encoded on the wire, bytes here).</summary>
    public Task<ListUploadsPage> ListMultipartUploadsAsync(string bucket, ReadOnlyMemory<byte> prefix = default, ReadOnlyMemory<byte> keyMarker = default,
        string? uploadIdMarker = null, int? maxUploads = null, CancellationToken cancellationToken = default)
    {
        var request = new UpstreamRequest(HttpMethod.Get, UpstreamNames.Path(bucket))
            .WithQuery("uploads")
            .WithQuery("encoding-type", "url")
            .WithQuery("upload-id-marker", uploadIdMarker)
            .WithQuery("max-uploads", maxUploads?.ToString(CultureInfo.InvariantCulture));
        if (!prefix.IsEmpty)
        {
            request.WithQuery("prefix", prefix.Span);
        }

        if (!keyMarker.IsEmpty)
        {
            request.WithQuery("key-marker", keyMarker.Span);
        }

        return ExchangeAsync(request, idempotent: true,
            async (response, token) => ResponseXml.Uploads(await DocumentAsync(response, token).ConfigureAwait(false)), cancellationToken);
    }

    private static UpstreamRequest PartRequest(HttpMethod method, string bucket, ReadOnlyMemory<byte> key, string uploadId, int partNumber)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partNumber, 10000);
        return new UpstreamRequest(method, UpstreamNames.Path(bucket, key.Span))
            .WithQuery("partNumber", partNumber.ToString(CultureInfo.InvariantCulture))
            .WithQuery("uploadId", uploadId);
    }
}
