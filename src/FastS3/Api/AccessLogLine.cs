using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using FastS3.Http;

namespace FastS3.Api;

/// <summary>
/// Takes down one request for the access log, in the connection's reusable buffer: an
/// <see cref="AccessLogRecord"/> of raw values, formatted into a JSON line later by the log's own
/// thread, so a request neither allocates nor formats anything. It holds only values that cannot
/// hold a secret: never a header but the user agent, never the query (a presigned URL's signature),
/// never a key header.
/// </summary>
public sealed class AccessLogLine
{
    /// <summary>A longer user agent is cut: the line stays bounded.</summary>
    public const int MaxUserAgent = 256;

    /// <summary>No valid bucket name is longer.</summary>
    private const int MaxBucket = 63;

    private const int MaxRemoteIp = 64;

    /// <summary>The longest record: the fixed part and every variable one at its longest.</summary>
    public static readonly int MaxRecordLength = AccessLogRecord.Size + MaxRemoteIp + byte.MaxValue + MaxBucket + S3Call.MaxKeyLength + byte.MaxValue + MaxUserAgent;

    private readonly byte[] _buffer = new byte[MaxRecordLength];

    /// <summary>The connection's remote address as text, formatted for its first request only.</summary>
    private readonly byte[] _remoteIp = new byte[MaxRemoteIp];
    private int _remoteIpLength;
    private EndPoint? _remote;

    /// <summary>
    /// Takes down the finished request of <paramref name="call"/> and hands it to
    /// <paramref name="log"/>; <paramref name="requester"/> is the access key, already JSON-escaped
    /// (left out when longer than 255 bytes).
    /// </summary>
    internal void Write(IAccessLog log, S3Call call, ReadOnlySpan<byte> requester, long startedAt)
    {
        HttpRequest request = call.Request;
        HttpResponse response = call.Response;
        long now = Stopwatch.GetTimestamp();
        if (!ReferenceEquals(request.RemoteEndPoint, _remote))
        {
            _remote = request.RemoteEndPoint;
            _remoteIpLength = _remote is IPEndPoint remote && remote.Address.TryFormat(_remoteIp, out int written) ? written : 0;
        }

        ReadOnlySpan<byte> remoteIp = _remoteIp.AsSpan(0, _remoteIpLength);
        requester = call.Signature.Authenticated && requester.Length <= byte.MaxValue ? requester : default;
        ReadOnlySpan<byte> bucket = call.Route.HasBucket && call.BucketName.Length <= MaxBucket ? call.BucketName : default;
        ReadOnlySpan<byte> key = call.Key.Length <= S3Call.MaxKeyLength ? call.Key : default;
        ReadOnlySpan<byte> errorCode = call.Error?.CodeUtf8 ?? default;
        request.Headers.TryGetValue("user-agent"u8, out ReadOnlySpan<byte> userAgent);
        userAgent = userAgent[..Math.Min(userAgent.Length, MaxUserAgent)];

        var record = new AccessLogRecord
        {
            EndedAt = now,
            TotalTime = now - startedAt,
            TurnAroundTime = (response.HasStarted ? response.StartedAt : now) - startedAt,
            BytesReceived = request.Body.BytesRead,
            BytesSent = response.BodyBytesWritten,
            ObjectSize = call.ObjectSize,
            Status = call.Status,
            Operation = call.Route.Operation,
            Tls = request.TlsProtocol,
            QueryStringAuth = !requester.IsEmpty && request.Query.IndexOf("X-Amz-Signature="u8) >= 0,
            SseC = call.HasCustomerKey || call.HasCopySourceKey,
            RemoteIpLength = (byte)remoteIp.Length,
            RequesterLength = (byte)requester.Length,
            BucketLength = (byte)bucket.Length,
            ErrorCodeLength = (byte)errorCode.Length,
            KeyLength = (ushort)key.Length,
            UserAgentLength = (ushort)userAgent.Length,
        };
        call.RequestIdBytes.CopyTo(record.RequestId);
        MemoryMarshal.Write(_buffer, in record);

        int length = AccessLogRecord.Size;
        Append(remoteIp, ref length);
        Append(requester, ref length);
        Append(bucket, ref length);
        Append(key, ref length);
        Append(errorCode, ref length);
        Append(userAgent, ref length);
        log.Write(_buffer.AsSpan(0, length));
    }

    private void Append(ReadOnlySpan<byte> bytes, ref int length)
    {
        bytes.CopyTo(_buffer.AsSpan(length));
        length += bytes.Length;
    }
}
