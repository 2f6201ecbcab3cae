using System.Net;
using System.Net.Http;

namespace FastS3.Upstream;

/// <summary>
/// FastS3's client for the S3 it keeps data in (gateway mode): path-style requests, SigV4 header
/// auth, keys as bytes, kept-alive HTTP/1.1 connections. Upstream errors are
/// <see cref="UpstreamException"/>; not reaching it at all is <see cref="UpstreamUnavailableException"/>.
/// Thread-safe; one per upstream.
/// </summary>
public sealed partial class UpstreamClient : IDisposable
{
    /// <summary>XML answers: a full listing page is well under this; more is not S3 talking.</summary>
    private const int MaxDocumentBytes = 16 << 20;

    private readonly UpstreamOptions _options;
    private readonly HttpClient _http;
    private readonly SigV4Signer _signer;
    private readonly string _host;

    public UpstreamClient(UpstreamOptions options)
    {
        if (options.Endpoint.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"The upstream endpoint must be http or https: {options.Endpoint}", nameof(options));
        }

        _options = options;
        _host = options.Endpoint.Authority;
        _signer = new SigV4Signer(options.AccessKey, options.SecretKey, options.Region);
        _http = new HttpClient(CreateHandler(options)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The connection settings; perf/FastS3.UpstreamBench gives the same to AWSSDK.S3 it measures beside this client.</summary>
    internal static SocketsHttpHandler CreateHandler(UpstreamOptions options) => new()
    {
        MaxConnectionsPerServer = options.MaxConnectionsPerServer,
        ConnectTimeout = options.ConnectTimeout,
        // Recycled now and then so a DNS change or a rebalanced upstream is picked up.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(50),
        AutomaticDecompression = DecompressionMethods.None,
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        SslOptions = UpstreamTls.ClientOptions(options),
    };

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Sends <paramref name="request"/> and hands the answer to <paramref name="read"/> within the
    /// request timeout. Idempotent requests are sent again after a connection failure or timeout.
    /// </summary>
    private async Task<T> ExchangeAsync<T>(UpstreamRequest request, bool idempotent, Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            HttpResponseMessage? response = null;
            try
            {
                using HttpRequestMessage message = request.ToMessage(_options.Endpoint, _host, _signer, null, DateTime.UtcNow);
                response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                T result = await read(response, timeout.Token).ConfigureAwait(false);
                response = null;
                return result;
            }
            catch (Exception e) when (IsUnreachable(e, cancellationToken))
            {
                if (!idempotent || attempt >= _options.MaxAttempts)
                {
                    throw new UpstreamUnavailableException($"{request.Method} to the upstream failed after {attempt} attempt(s): {e.Message}", e);
                }
            }
            finally
            {
                response?.Dispose();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50 << attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A streamed PUT: sent once (its body cannot be replayed), timed from the body's end by the upload.</summary>
    private UpstreamUpload Upload(UpstreamRequest request, long length, CancellationToken cancellationToken)
        => new(length, _options.RequestTimeout, async (content, token) =>
        {
            try
            {
                using HttpRequestMessage message = request.ToMessage(_options.Endpoint, _host, _signer, content, DateTime.UtcNow);
                using HttpResponseMessage response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                await EnsureSuccessAsync(response, token).ConfigureAwait(false);
                return ETagOf(response);
            }
            catch (Exception e) when (IsUnreachable(e, cancellationToken))
            {
                throw new UpstreamUnavailableException($"PUT to the upstream failed: {e.Message}", e);
            }
        }, cancellationToken);

    /// <summary>Connection trouble or our own timeout; the caller's cancellation stays what it is.</summary>
    private static bool IsUnreachable(Exception e, CancellationToken cancellationToken)
        => e is HttpRequestException { StatusCode: null } or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        byte[] body = await ReadDocumentAsync(response, cancellationToken).ConfigureAwait(false);
        throw ErrorOf(response, body);
    }

    private static UpstreamException ErrorOf(HttpResponseMessage response, byte[] body)
    {
        (string? code, string? message, string? requestId) = body.Length > 0 ? ResponseXml.Error(body) : (null, null, null);
        TimeSpan? retryAfter = response.Headers.RetryAfter is { } after
            ? after.Delta ?? (after.Date - DateTimeOffset.UtcNow) : null;
        return new UpstreamException(response.StatusCode, code, message, requestId ?? ObjectInfo.Header(response, "x-amz-request-id"), retryAfter);
    }

    /// <summary>A successful answer's XML document; S3 may still put an &lt;Error&gt; in a 200 (Complete, Copy).</summary>
    private static async Task<byte[]> DocumentAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        byte[] body = await ReadDocumentAsync(response, cancellationToken).ConfigureAwait(false);
        if (body.Length > 0 && XmlLeaves.Root(body) == "Error")
        {
            throw ErrorOf(response, body);
        }

        return body;
    }

    private static async Task<byte[]> ReadDocumentAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        byte[] buffer = new byte[16 << 10];
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (body.Length + n > MaxDocumentBytes)
            {
                throw new InvalidDataException($"The upstream's answer is over {MaxDocumentBytes} bytes.");
            }

            body.Write(buffer, 0, n);
        }

        return body.ToArray();
    }

    private static string ETagOf(HttpResponseMessage response) => response.Headers.ETag?.ToString() ?? ObjectInfo.Header(response, "ETag") ?? "";

    /// <summary>For answers that carry nothing but their status.</summary>
    private static async Task<bool> NoBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
