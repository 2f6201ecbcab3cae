using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Authentication;

namespace FastS3.Api;

/// <summary>
/// A request's access-log entry as the request leaves it: raw values, copied and nothing formatted,
/// so the request pays for a few stores; the access log's own thread makes the JSON line of it
/// (<see cref="AccessLogFormat"/>). This fixed part is followed by the variable ones, in this order
/// and with these lengths: remote address (text), requester (JSON-escaped), bucket, key, error code,
/// user agent.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct AccessLogRecord
{
    public static readonly int Size = Unsafe.SizeOf<AccessLogRecord>();

    /// <summary>When the request ended (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>).</summary>
    public long EndedAt;

    /// <summary>From the request's start to its end, and to its response's head, in Stopwatch ticks.</summary>
    public long TotalTime;
    public long TurnAroundTime;

    public long BytesReceived;
    public long BytesSent;

    /// <summary>The object's whole size; negative when there is none.</summary>
    public long ObjectSize;

    public RequestIdBytes RequestId;
    public int Status;
    public S3Operation Operation;
    public SslProtocols Tls;
    public bool QueryStringAuth;
    public bool SseC;
    public byte RemoteIpLength;
    public byte RequesterLength;
    public byte BucketLength;
    public byte ErrorCodeLength;
    public ushort KeyLength;
    public ushort UserAgentLength;
}

[InlineArray(Api.RequestId.Length)]
internal struct RequestIdBytes
{
    private byte _first;
}
