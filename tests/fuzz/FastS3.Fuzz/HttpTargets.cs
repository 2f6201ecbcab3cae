using System.Security.Cryptography;

namespace FastS3.Fuzz;

/// <summary>
/// The HTTP/1.1 transport: request heads (request line, header fields, framing rules, pipelining)
/// and the chunked body decoder with its trailers. Expected outcomes are a request handed to the
/// application or a <see cref="BadHttpRequestException"/> answered with its status.
/// </summary>
internal static class HttpTargets
{
    /// <summary>Input: a control byte (how to split, see <see cref="Connection.Splits"/>), then what a client sends on one connection.</summary>
    public static void RequestStream(byte[] input)
    {
        if (input.Length > 0)
        {
            Connection.ServeBothWays(new RecordingApplication(), input[1..], input[0]);
        }
    }

    /// <summary>Input: a control byte, then a chunked body (and whatever follows it) after a fixed head.</summary>
    public static void ChunkedBody(byte[] input)
    {
        if (input.Length > 0)
        {
            Connection.ServeBothWays(new RecordingApplication(), [.. ChunkedHead, .. input.AsSpan(1)], input[0]);
        }
    }

    public static ReadOnlySpan<byte> ChunkedHead => "PUT /bucket/key HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"u8;

    /// <summary>Records each request's head, body digest and trailers; a rejected body is rethrown for the transport to answer.</summary>
    private sealed class RecordingApplication : TranscriptApplication
    {
        public override async ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
        {
            Transcript.Add($"{request.Method} [{Text(request.MethodBytes)}] [{Text(request.RawTarget)}] [{Text(request.Path)}] [{Text(request.Query)}] {request.Version} "
                + $"host=[{Text(request.Host)}] length={request.ContentLength} chunked={request.IsChunked} continue={request.ExpectsContinue}");
            RecordFields("header", request.Headers);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            try
            {
                while (true)
                {
                    var piece = await request.Body.ReadAsync();
                    if (piece.IsEmpty)
                    {
                        break;
                    }

                    foreach (ReadOnlyMemory<byte> segment in piece)
                    {
                        sha.AppendData(segment.Span);
                    }
                }
            }
            catch (BadHttpRequestException ex)
            {
                Transcript.Add($"body rejected {ex.Reason} after {request.Body.BytesRead}");
                throw;
            }

            Transcript.Add($"body {request.Body.BytesRead} {Convert.ToHexStringLower(sha.GetHashAndReset())}");
            RecordFields("trailer", request.Trailers);
            response.ContentLength = 0;
        }
    }
}
