using System.IO.Pipelines;
using System.Text;
using FastS3.Testing;

namespace FastS3.Fuzz;

/// <summary>
/// Runs the real connection loop (request heads, body framing, pipelining, 100-continue, rejections)
/// over in-memory bytes, on the calling thread: input comes from a <see cref="SegmentedPipeReader"/>
/// and output goes to memory, so nothing ever waits and a run that does not finish at once is a hang.
/// </summary>
internal static class Connection
{
    /// <summary>Small limits, so that inputs of a few hundred bytes reach every size check.</summary>
    public static readonly HttpLimits Limits = new()
    {
        MaxRequestLineSize = 512,
        MaxRequestHeadersTotalSize = 2048,
        MaxRequestHeaderCount = 32,
        MaxChunkLineSize = 128,
        MaxRequestBodySize = 256 * 1024,
    };

    /// <summary>
    /// Serves <paramref name="bytes"/> delivered one byte at a time or in pieces picked by
    /// <paramref name="control"/>, then again delivered whole, on the same server (so the second run
    /// reuses the pooled connection): the status codes and what the application saw must not depend
    /// on how the bytes were split.
    /// </summary>
    public static void ServeBothWays(TranscriptApplication app, byte[] bytes, byte control)
    {
        var log = new FailureLog();
        var server = new HttpServer(new HttpServerOptions { Limits = Limits, Log = log }, app);
        string split = Serve(server, log, app, bytes, Splits(bytes.Length, control));
        string whole = Serve(server, log, app, bytes, []);
        if (split != whole)
        {
            throw new FuzzFailure($"the outcome depends on how the bytes were split:\n--- split\n{split}\n--- whole\n{whole}");
        }
    }

    /// <summary>
    /// Split points for <paramref name="length"/> bytes: pieces of 1..<paramref name="control"/>+1
    /// bytes from a generator seeded with it (0: one byte at a time), so mutating one byte explores
    /// many ways of splitting.
    /// </summary>
    public static int[] Splits(int length, byte control)
    {
        var splits = new List<int>();
        uint state = (control * 2654435761u) | 1;
        for (int at = 0; ;)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            at += 1 + (int)(state % (control + 1u));
            if (at >= length)
            {
                return [.. splits];
            }

            splits.Add(at);
        }
    }

    private static string Serve(HttpServer server, FailureLog log, TranscriptApplication app, byte[] bytes, int[] splits)
    {
        app.Transcript.Clear();
        using var output = new MemoryStream();
        Task serve = server.ServeAsync(new SegmentedPipeReader(bytes, splits), PipeWriter.Create(output, new StreamPipeWriterOptions(leaveOpen: true)));
        if (!serve.IsCompleted)
        {
            throw new FuzzFailure("the connection is waiting for something that will never happen");
        }

        serve.GetAwaiter().GetResult();
        log.ThrowIfFailed();
        return $"status {string.Join(' ', StatusCodes(output.ToArray()))}\n{string.Join('\n', app.Transcript)}";
    }

    // The harness applications answer without bodies, so every head in the output starts with a status line.
    private static IEnumerable<string> StatusCodes(byte[] output)
        => Encoding.Latin1.GetString(output).Split("\r\n\r\n", StringSplitOptions.RemoveEmptyEntries).Select(head => head.Split(' ')[1]);

    /// <summary>The transport logs an error when the application threw something other than a rejection.</summary>
    private sealed class FailureLog : IServerLog
    {
        private readonly List<(string Message, Exception? Exception)> _errors = [];

        public void Info(string message)
        {
        }

        public void Warning(string message)
        {
        }

        public void Error(string message, Exception? exception = null) => _errors.Add((message, exception));

        public void ThrowIfFailed()
        {
            if (_errors.Count > 0)
            {
                throw new FuzzFailure(_errors[0].Message, _errors[0].Exception);
            }
        }
    }
}

/// <summary>An application that writes down what it saw, for <see cref="Connection.ServeBothWays"/> to compare.</summary>
internal abstract class TranscriptApplication : IHttpApplication
{
    public List<string> Transcript { get; } = [];

    public abstract ValueTask ProcessAsync(HttpRequest request, HttpResponse response);

    protected static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    protected void RecordFields(string kind, HttpRequestHeaders fields)
    {
        foreach (HttpHeader field in fields)
        {
            Transcript.Add($"{kind} [{Text(field.Name)}] [{Text(field.Value)}]");
        }
    }
}
