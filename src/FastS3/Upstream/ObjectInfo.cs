using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;

namespace FastS3.Upstream;

/// <summary>What GET and HEAD tell of an object, read from the response head.</summary>
public sealed record ObjectInfo
{
    public HttpStatusCode Status { get; init; }

    /// <summary>Of this response's body: the range's length for a 206.</summary>
    public long ContentLength { get; init; }

    /// <summary>The object's whole length, from Content-Range; null without one.</summary>
    public long? TotalLength { get; init; }

    public string? ETag { get; init; }

    public DateTimeOffset? LastModified { get; init; }

    public string? ContentType { get; init; }

    /// <summary>x-amz-meta-* with the prefix removed, names in lower case as S3 keeps them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; init; } = [];

    /// <summary>x-amz-mp-parts-count: the parts of a multipart object, given when a part was asked for.</summary>
    public int? PartsCount { get; init; }

    internal static ObjectInfo From(HttpResponseMessage response)
    {
        HttpContentHeaders? content = response.Content?.Headers;
        return new ObjectInfo
        {
            Status = response.StatusCode,
            ContentLength = content?.ContentLength ?? 0,
            TotalLength = content?.ContentRange?.Length,
            ETag = response.Headers.ETag?.ToString() ?? Header(response, "ETag"),
            LastModified = content?.LastModified,
            ContentType = content?.ContentType?.ToString(),
            Metadata = [.. response.Headers.Where(h => h.Key.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase))
                .Select(h => KeyValuePair.Create(h.Key["x-amz-meta-".Length..].ToLowerInvariant(), string.Join(",", h.Value)))],
            PartsCount = int.TryParse(Header(response, "x-amz-mp-parts-count"), NumberStyles.None, CultureInfo.InvariantCulture, out int parts) ? parts : null,
        };
    }

    internal static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;
}
