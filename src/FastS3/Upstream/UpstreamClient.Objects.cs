using System.Globalization;
using System.Net.Http;

namespace FastS3.Upstream;

public sealed partial class UpstreamClient
{
    /// <summary>
    /// Starts a PUT of exactly <paramref name="length"/> bytes that the caller then writes into the
    /// returned upload; <see cref="UpstreamUpload.CompleteAsync"/> gives the ETag.
    /// </summary>
    public UpstreamUpload StartPutObject(string bucket, ReadOnlyMemory<byte> key, long length, PutOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new UpstreamRequest(HttpMethod.Put, UpstreamNames.Path(bucket, key.Span))
            .WithHeader("content-type", options?.ContentType)
            .WithHeader("if-match", options?.IfMatch)
            .WithHeader("if-none-match", options?.IfNoneMatch)
            .WithMetadata(options?.Metadata);
        return Upload(request, length, cancellationToken);
    }

    /// <summary>A PUT of a body already in memory (small objects, tests).</summary>
    public async Task<string> PutObjectAsync(string bucket, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> body, PutOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using UpstreamUpload upload = StartPutObject(bucket, key, body.Length, options, cancellationToken);
        await upload.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        return await upload.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>The object's head, and its body to read; 200 or 206, anything else is thrown.</summary>
    public Task<UpstreamObject> GetObjectAsync(string bucket, ReadOnlyMemory<byte> key, GetOptions? options = null, CancellationToken cancellationToken = default)
        => ExchangeAsync(ObjectRequest(HttpMethod.Get, bucket, key, options), idempotent: true, async (response, token) =>
        {
            await EnsureSuccessAsync(response, token).ConfigureAwait(false);
            return new UpstreamObject(response, await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false));
        }, cancellationToken);

    public Task<ObjectInfo> HeadObjectAsync(string bucket, ReadOnlyMemory<byte> key, GetOptions? options = null, CancellationToken cancellationToken = default)
        => ExchangeAsync(ObjectRequest(HttpMethod.Head, bucket, key, options), idempotent: true, async (response, token) =>
        {
            await EnsureSuccessAsync(response, token).ConfigureAwait(false);
            return ObjectInfo.From(response);
        }, cancellationToken);

    public Task DeleteObjectAsync(string bucket, ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
        => ExchangeAsync(new UpstreamRequest(HttpMethod.Delete, UpstreamNames.Path(bucket, key.Span)), idempotent: true, NoBodyAsync, cancellationToken);

    /// <summary>
    /// Deletes up to 1000 keys in one request (quiet); returns the keys that could not be deleted.
    /// Keys with control characters cannot be written in XML 1.0, so those are deleted one by one.
    /// </summary>
    public async Task<List<DeleteFailure>> DeleteObjectsAsync(string bucket, IReadOnlyList<ReadOnlyMemory<byte>> keys, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keys.Count, RequestXml.MaxDeleteKeys);
        List<ReadOnlyMemory<byte>> inXml = [.. keys.Where(key => key.Span.IndexOfAnyInRange((byte)0, (byte)0x1F) < 0)];
        foreach (ReadOnlyMemory<byte> key in keys.Where(key => key.Span.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0))
        {
            await DeleteObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        }

        if (inXml.Count == 0)
        {
            return [];
        }

        byte[] body = RequestXml.Delete(inXml);
        var request = new UpstreamRequest(HttpMethod.Post, UpstreamNames.Path(bucket)) { Body = body }
            .WithQuery("delete")
            .WithHeader("content-md5", UpstreamRequest.ContentMd5(body))
            .WithHeader("content-type", "application/xml");
        return await ExchangeAsync(request, idempotent: true,
            async (response, token) => ResponseXml.DeleteFailures(await DocumentAsync(response, token).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Server-side copy; metadata is copied unless <see cref="CopyOptions.ReplaceMetadata"/> is given.</summary>
    public Task<CopyResult> CopyObjectAsync(string sourceBucket, ReadOnlyMemory<byte> sourceKey, string bucket, ReadOnlyMemory<byte> key, CopyOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new UpstreamRequest(HttpMethod.Put, UpstreamNames.Path(bucket, key.Span))
            .WithHeader("x-amz-copy-source", UpstreamNames.Path(sourceBucket, sourceKey.Span))
            .WithHeader("x-amz-copy-source-if-match", options?.SourceIfMatch)
            // Ceph RGW (16.2 at least) reads the condition under this older name only; AWS ignores it.
            .WithHeader("x-amz-copy-if-match", options?.SourceIfMatch);
        if (options?.ReplaceMetadata is { } metadata)
        {
            request.WithHeader("x-amz-metadata-directive", "REPLACE").WithHeader("content-type", options.ContentType).WithMetadata(metadata);
        }

        return ExchangeAsync(request, idempotent: false, async (response, token) =>
        {
            (string etag, DateTimeOffset modified) = ResponseXml.CopyResult(await DocumentAsync(response, token).ConfigureAwait(false));
            return new CopyResult(etag, modified);
        }, cancellationToken);
    }

    private static UpstreamRequest ObjectRequest(HttpMethod method, string bucket, ReadOnlyMemory<byte> key, GetOptions? options)
    {
        var request = new UpstreamRequest(method, UpstreamNames.Path(bucket, key.Span))
            .WithHeader("if-match", options?.IfMatch)
            .WithHeader("if-none-match", options?.IfNoneMatch)
            .WithHeader("range", options?.Range is { } range ? string.Create(CultureInfo.InvariantCulture, $"bytes={range.First}-{range.Last}") : null);
        if (options?.PartNumber is int part)
        {
            request.WithQuery("partNumber", part.ToString(CultureInfo.InvariantCulture));
        }

        return request;
    }
}
