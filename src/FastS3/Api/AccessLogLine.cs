using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using FastS3.Buffers;
using FastS3.Http;

namespace FastS3.Api;

/// <summary>
/// Takes down one request for the access log: an <see cref="AccessLogRecord"/> of raw values and
/// its variable parts, written in place into the <see cref="AccessLogQueue"/>'s ring (one copy of
/// each value, no buffer in between) and formatted into a JSON line later by the log's own thread,
/// so a request neither allocates nor formats anything. It holds only values that cannot hold a
/// secret: never a header but the user agent, never the query (a presigned URL's signature), never
/// a key header.
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

    /// <summary>The connection's remote address as text, formatted for its first request only.</summary>
    private readonly byte[] _remoteIp = new byte[MaxRemoteIp];
    private int _remoteIpLength;
    private EndPoint? _remote;

    /// <summary>
    /// Takes down the finished request of <paramref name="call"/> into <paramref name="log"/>;
    /// <paramref name="requester"/> is the access key, already JSON-escaped (left out when longer
    /// than 255 bytes).
    /// </summary>
    internal void Write(AccessLogQueue log, S3Call call, ReadOnlySpan<byte> requester, long startedAt)
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
        ReadOnlySpan<byte> userAgent = request.UserAgent;
        userAgent = userAgent[..Math.Min(userAgent.Length, MaxUserAgent)];

        int length = AccessLogRecord.Size + remoteIp.Length + requester.Length + bucket.Length + key.Length + errorCode.Length + userAgent.Length;
        if (!log.TryClaim(length, out RingClaim claim))
        {
            return;
        }

        // Field by field into the ring (8-byte aligned there), not a struct built aside and copied.
        ref AccessLogRecord record = ref MemoryMarshal.AsRef<AccessLogRecord>(claim.Record);
        record.EndedAt = now;
        record.TotalTime = now - startedAt;
        record.TurnAroundTime = (response.HasStarted ? response.StartedAt : now) - startedAt;
        record.BytesReceived = request.Body.BytesRead;
        record.BytesSent = response.BodyBytesWritten;
        record.ObjectSize = call.ObjectSize;
        call.RequestIdBytes.CopyTo(record.RequestId);
        record.Status = call.Status;
        record.Operation = call.Route.Operation;
        record.Tls = request.TlsProtocol;
        record.QueryStringAuth = !requester.IsEmpty && request.Query.IndexOf("X-Amz-Signature="u8) >= 0;
        record.SseC = call.HasCustomerKey || call.HasCopySourceKey;
        record.RemoteIpLength = (byte)remoteIp.Length;
        record.RequesterLength = (byte)requester.Length;
        record.BucketLength = (byte)bucket.Length;
        record.ErrorCodeLength = (byte)errorCode.Length;
        record.KeyLength = (ushort)key.Length;
        record.UserAgentLength = (ushort)userAgent.Length;

        Span<byte> rest = claim.Record[AccessLogRecord.Size..];
        Append(remoteIp, ref rest);
        Append(requester, ref rest);
        Append(bucket, ref rest);
        Append(key, ref rest);
        Append(errorCode, ref rest);
        Append(userAgent, ref rest);
        log.Commit(claim);
    }

    private static void Append(ReadOnlySpan<byte> bytes, ref Span<byte> rest)
    {
        bytes.CopyTo(rest);
        rest = rest[bytes.Length..];
    }
}
