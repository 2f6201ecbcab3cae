using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.Unicode;
using FastS3.Http;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// One request's access-log line: a JSON object with the field names of AWS's server access log
/// where it has one (camel-cased: <c>requester</c>, <c>operation</c>, <c>httpStatus</c>,
/// <c>errorCode</c>, <c>bytesSent</c>, <c>totalTime</c>, <c>turnAroundTime</c>, ...). It is built
/// only from values that cannot hold a secret: never a header but the user agent, never the query
/// (a presigned URL's signature), never a key header; the object key and bucket only as validated.
/// Written into the connection's reusable buffer, so a line allocates nothing.
/// </summary>
public sealed class AccessLogLine : IDisposable
{
    /// <summary>A longer user agent is cut: the line stays bounded.</summary>
    private const int MaxUserAgent = 256;

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;

    public AccessLogLine() => _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>Formats the finished request of <paramref name="call"/> and hands the line to <paramref name="log"/>.</summary>
    public void Write(IAccessLog log, S3Call call, string requester, long startedAt)
    {
        HttpRequest request = call.Request;
        HttpResponse response = call.Response;
        long now = Stopwatch.GetTimestamp();
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteString("time"u8, DateTime.UtcNow);
        _json.WriteString("requestId"u8, call.RequestIdBytes);
        Span<char> address = stackalloc char[64];
        if (request.RemoteEndPoint is IPEndPoint remote && remote.Address.TryFormat(address, out int length))
        {
            _json.WriteString("remoteIp"u8, address[..length]);
        }

        if (call.Signature.Authenticated)
        {
            _json.WriteString("requester"u8, requester);
            _json.WriteString("signatureVersion"u8, "SigV4"u8);
            _json.WriteString("authenticationType"u8, request.Query.IndexOf("X-Amz-Signature="u8) >= 0 ? "QueryString"u8 : "AuthHeader"u8);
        }

        _json.WriteString("operation"u8, OperationNames.Of(call.Route.Operation));
        if (call.Route.HasBucket && BucketName.IsValid(call.BucketName))
        {
            _json.WriteString("bucket"u8, call.BucketName);
        }

        if (!call.Key.IsEmpty && Utf8.IsValid(call.Key))
        {
            _json.WriteString("key"u8, call.Key);
        }

        _json.WriteNumber("httpStatus"u8, call.Status);
        if (call.Error is { } error)
        {
            _json.WriteString("errorCode"u8, error.CodeUtf8);
        }

        _json.WriteNumber("bytesReceived"u8, request.Body.BytesRead);
        _json.WriteNumber("bytesSent"u8, response.BodyBytesWritten);
        if (call.ObjectSize >= 0)
        {
            _json.WriteNumber("objectSize"u8, call.ObjectSize);
        }

        _json.WriteNumber("totalTime"u8, Math.Round(Stopwatch.GetElapsedTime(startedAt, now).TotalMilliseconds, 3));
        _json.WriteNumber("turnAroundTime"u8, Math.Round(Stopwatch.GetElapsedTime(startedAt, response.HasStarted ? response.StartedAt : now).TotalMilliseconds, 3));

        if (request.Headers.TryGetValue("user-agent"u8, out ReadOnlySpan<byte> userAgent))
        {
            userAgent = userAgent[..Math.Min(userAgent.Length, MaxUserAgent)];
            if (Utf8.IsValid(userAgent))
            {
                _json.WriteString("userAgent"u8, userAgent);
            }
        }

        if (request.TlsProtocol != SslProtocols.None)
        {
            _json.WriteString("tlsVersion"u8, request.TlsProtocol == SslProtocols.Tls13 ? "TLSv1.3"u8 : "TLSv1.2"u8);
        }

        if (call.HasCustomerKey || call.HasCopySourceKey)
        {
            _json.WriteString("encryption"u8, "SSE-C"u8);
        }

        _json.WriteEndObject();
        _json.Flush();
        _buffer.Write("\n"u8);
        log.Write(_buffer.WrittenSpan);
    }

    public void Dispose() => _json.Dispose();
}
