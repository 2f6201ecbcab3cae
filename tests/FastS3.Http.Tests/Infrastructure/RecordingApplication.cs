using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

namespace FastS3.Http.Tests.Infrastructure;

/// <summary>What one request looked like to the application, copied out as plain values.</summary>
internal sealed record RecordedRequest(
    HttpMethod Method,
    string MethodText,
    string Target,
    string Path,
    string Query,
    HttpVersion Version,
    IReadOnlyList<(string Name, string Value)> Headers,
    string UserAgent,
    byte[] Body,
    IReadOnlyList<(string Name, string Value)> Trailers,
    bool IsTls,
    Exception? BodyError)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// A test application that reads each body to its end (unless told not to), records the request,
/// and answers 200 with "ok", so tests can compare what the transport handed over with what was sent.
/// </summary>
internal sealed class RecordingApplication : IHttpApplication
{
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>When false, the body is left unread (as an app rejecting a request early would).</summary>
    public bool ReadBody { get; init; } = true;

    /// <summary>Replaces the default "200 ok" response.</summary>
    public Func<HttpRequest, HttpResponse, ValueTask>? Respond { get; init; }

    /// <summary>Shapes the transport's own answers; unset keeps the bare default.</summary>
    public Action<HttpRequest, HttpResponse, RequestRejectionReason?>? TransportError { get; init; }

    public void WriteTransportError(HttpRequest request, HttpResponse response, RequestRejectionReason? reason)
        => TransportError?.Invoke(request, response, reason);

    public async ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
    {
        var head = Snapshot(request);
        byte[] body = [];
        Exception? bodyError = null;
        if (ReadBody)
        {
            var buffer = new ArrayBufferWriter<byte>();
            try
            {
                await request.Body.ReadToEndAsync(buffer, long.MaxValue);
            }
            catch (BadHttpRequestException ex)
            {
                bodyError = ex;
            }

            body = buffer.WrittenSpan.ToArray();
        }

        Requests.Enqueue(head with { Body = body, Trailers = Fields(request.Trailers), BodyError = bodyError });
        if (bodyError is not null)
        {
            throw bodyError;
        }

        if (Respond is not null)
        {
            await Respond(request, response);
            return;
        }

        response.ContentLength = 2;
        response.Headers.Add("Content-Type"u8, "text/plain"u8);
        response.Write("ok"u8);
    }

    private static RecordedRequest Snapshot(HttpRequest request) => new(
        request.Method,
        Encoding.ASCII.GetString(request.MethodBytes),
        Encoding.ASCII.GetString(request.RawTarget),
        Encoding.ASCII.GetString(request.Path),
        Encoding.ASCII.GetString(request.Query),
        request.Version,
        Fields(request.Headers),
        Encoding.Latin1.GetString(request.UserAgent),
        [],
        [],
        request.IsTls,
        null);

    private static List<(string, string)> Fields(HttpRequestHeaders headers)
    {
        var list = new List<(string, string)>();
        foreach (HttpHeader header in headers)
        {
            list.Add((Encoding.Latin1.GetString(header.Name), Encoding.Latin1.GetString(header.Value)));
        }

        return list;
    }
}
