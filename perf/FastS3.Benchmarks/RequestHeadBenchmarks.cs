using System.Buffers;
using BenchmarkDotNet.Attributes;
using FastS3.Api;
using FastS3.Http;
using FastS3.Http.Parsing;

namespace FastS3.Benchmarks;

/// <summary>
/// The per-request hot path before any S3 work: finding the end of the head, parsing it, and
/// routing. Inputs are real aws-cli captures (tests/FastS3.Testing/Fixtures). Every benchmark
/// must allocate nothing: state is created once in <see cref="Setup"/>.
/// </summary>
[MemoryDiagnoser]
public class RequestHeadBenchmarks
{
    private static readonly HttpLimits Limits = new();

    private byte[] _getHead = [];
    private byte[] _putHead = [];
    private byte[] _listHead = [];
    private ReadOnlySequence<byte> _getSequence;
    private ReadOnlySequence<byte> _putSequence;
    private ReadOnlySequence<byte> _splitSequence;
    private byte[] _copy = [];
    private int[] _offsets = [];
    private byte[] _getPath = [];
    private byte[] _getQuery = [];
    private byte[] _listPath = [];
    private byte[] _listQuery = [];
    private HttpRequest? _request;

    [GlobalSetup]
    public void Setup()
    {
        _getHead = HeadOf(Fixtures.Read("awscli-get-object-https.bin"));
        _putHead = HeadOf(Fixtures.Read("awscli-put-object-https.bin"));
        _listHead = HeadOf(Fixtures.Read("awscli-list-objects-v2-https.bin"));
        _getSequence = new ReadOnlySequence<byte>(_getHead);
        _putSequence = new ReadOnlySequence<byte>(_putHead);

        // Three segments; the last boundary falls inside the CRLF CRLF terminator, as it can when
        // a head arrives across reads.
        _splitSequence = BufferSegment.Split(_getHead, _getHead.Length / 2, _getHead.Length - 2);
        if (_splitSequence.IsSingleSegment || _splitSequence.Length != _getHead.Length)
        {
            throw new InvalidOperationException("the split sequence is not multi-segment");
        }

        _copy = new byte[_getHead.Length];
        _offsets = new int[Limits.MaxRequestHeaderCount * 4];

        (_getPath, _getQuery) = TargetOf(_getHead);
        (_listPath, _listQuery) = TargetOf(_listHead);

        // The production parser, on a connection object that is never started.
        var server = new HttpServer(new HttpServerOptions(), new NoApplication());
        _request = new HttpConnection(server).Request;

        Verify();
    }

    [Benchmark]
    public int ParseHead_GetObject() => ScanAndParse(_getSequence, _getHead);

    [Benchmark]
    public int ParseHead_PutObject() => ScanAndParse(_putSequence, _putHead);

    [Benchmark]
    public int ParseHead_Split()
    {
        var scanner = default(RequestHeadScanner);
        if (!scanner.TryFind(_splitSequence, Limits, out int headLength))
        {
            ThrowIncomplete();
        }

        _splitSequence.Slice(0, headLength).CopyTo(_copy);
        var handler = new OffsetHandler(_offsets);
        HttpParser.ParseHead(_copy.AsSpan(0, headLength), ref handler, Limits.MaxRequestHeaderCount);
        return handler.HeaderCount;
    }

    [Benchmark]
    public S3Route Route_GetObject() => S3Router.Route(HttpMethod.Get, _getPath, _getQuery, hasCopySource: false);

    [Benchmark]
    public S3Route Route_ListObjectsV2() => S3Router.Route(HttpMethod.Get, _listPath, _listQuery, hasCopySource: false);

    /// <summary>Scan + parse + copy-source lookup + route of the aws-cli GetObject: the number to quote.</summary>
    [Benchmark]
    public S3Route ParseAndRoute_GetObject()
    {
        var scanner = default(RequestHeadScanner);
        if (!scanner.TryFind(_getSequence, Limits, out int headLength))
        {
            ThrowIncomplete();
        }

        ReadOnlySpan<byte> head = _getHead.AsSpan(0, headLength);
        var handler = new OffsetHandler(_offsets);
        HttpParser.ParseHead(head, ref handler, Limits.MaxRequestHeaderCount);
        return S3Router.Route(handler.Method, handler.Path(head), handler.Query(head), handler.Contains(head, "x-amz-copy-source"u8));
    }

    /// <summary>
    /// Extra: the production <see cref="HttpRequest"/>.Parse (framing headers interpreted, header
    /// table filled) plus the same lookup and route as S3Application does.
    /// </summary>
    [Benchmark]
    public S3Route HttpRequestParseAndRoute_GetObject()
    {
        var scanner = default(RequestHeadScanner);
        if (!scanner.TryFind(_getSequence, Limits, out int headLength))
        {
            ThrowIncomplete();
        }

        HttpRequest request = _request!;
        request.Reset();
        request.Parse(_getHead.AsMemory(0, headLength), Limits);
        return S3Router.Route(request.Method, request.Path, request.Query, request.Headers.Contains("x-amz-copy-source"u8));
    }

    private int ScanAndParse(in ReadOnlySequence<byte> sequence, byte[] bytes)
    {
        var scanner = default(RequestHeadScanner);
        if (!scanner.TryFind(sequence, Limits, out int headLength))
        {
            ThrowIncomplete();
        }

        var handler = new OffsetHandler(_offsets);
        HttpParser.ParseHead(bytes.AsSpan(0, headLength), ref handler, Limits.MaxRequestHeaderCount);
        return handler.HeaderCount;
    }

    private void Verify()
    {
        Expect(ParseHead_GetObject() == 12, "GET header count");
        Expect(ParseHead_PutObject() == 17, "PUT header count");
        Expect(ParseHead_Split() == 12, "split GET header count");
        Expect(Route_GetObject().Operation == S3Operation.GetObject, "Route_GetObject");
        Expect(Route_ListObjectsV2().Operation == S3Operation.ListObjectsV2, "Route_ListObjectsV2");
        Expect(ParseAndRoute_GetObject() == Route_GetObject(), "ParseAndRoute_GetObject");
        Expect(HttpRequestParseAndRoute_GetObject() == Route_GetObject(), "HttpRequestParseAndRoute_GetObject");

        static void Expect(bool condition, string what)
        {
            if (!condition)
            {
                throw new InvalidOperationException($"benchmark self-check failed: {what}");
            }
        }
    }

    private static byte[] HeadOf(byte[] request)
    {
        int end = request.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            throw new InvalidOperationException("fixture has no complete head");
        }

        return request[..(end + 4)];
    }

    private static (byte[] Path, byte[] Query) TargetOf(byte[] head)
    {
        var handler = new OffsetHandler(new int[Limits.MaxRequestHeaderCount * 4]);
        HttpParser.ParseHead(head, ref handler, Limits.MaxRequestHeaderCount);
        return (handler.Path(head).ToArray(), handler.Query(head).ToArray());
    }

    private static void ThrowIncomplete() => throw new InvalidOperationException("head not found");

    /// <summary>Records what the parser reports as offsets, four ints per header, into a preallocated array.</summary>
    private struct OffsetHandler(int[] offsets) : IHttpHeadHandler
    {
        private readonly int[] _offsets = offsets;
        private int _targetStart;
        private int _targetLength;
        private int _pathLength;

        public HttpMethod Method { get; private set; }

        public int HeaderCount { get; private set; }

        public void OnRequestLine(HttpMethod method, int methodLength, int targetStart, int targetLength, int pathLength, HttpVersion version)
        {
            Method = method;
            _targetStart = targetStart;
            _targetLength = targetLength;
            _pathLength = pathLength;
        }

        public void OnHeader(int nameStart, int nameLength, int valueStart, int valueLength)
        {
            int at = HeaderCount++ * 4;
            _offsets[at] = nameStart;
            _offsets[at + 1] = nameLength;
            _offsets[at + 2] = valueStart;
            _offsets[at + 3] = valueLength;
        }

        public readonly ReadOnlySpan<byte> Path(ReadOnlySpan<byte> head) => head.Slice(_targetStart, _pathLength);

        public readonly ReadOnlySpan<byte> Query(ReadOnlySpan<byte> head) => _pathLength < _targetLength
            ? head.Slice(_targetStart + _pathLength + 1, _targetLength - _pathLength - 1)
            : default;

        /// <summary>Case-insensitive name lookup, as HttpRequestHeaders.Contains does it.</summary>
        public readonly bool Contains(ReadOnlySpan<byte> head, ReadOnlySpan<byte> name)
        {
            for (int i = 0; i < HeaderCount; i++)
            {
                int at = i * 4;
                if (_offsets[at + 1] == name.Length
                    && System.Text.Ascii.EqualsIgnoreCase(head.Slice(_offsets[at], name.Length), name))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private sealed class NoApplication : IHttpApplication
    {
        public ValueTask ProcessAsync(HttpRequest request, HttpResponse response) => ValueTask.CompletedTask;
    }
}

/// <summary>A segment of a hand-built multi-segment <see cref="ReadOnlySequence{T}"/>.</summary>
internal sealed class BufferSegment : ReadOnlySequenceSegment<byte>
{
    private BufferSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>Cuts <paramref name="bytes"/> at the given offsets into a chain of segments.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        var first = new BufferSegment(bytes.AsMemory(0, cuts[0]), 0);
        BufferSegment last = first;
        for (int i = 0; i < cuts.Length; i++)
        {
            int end = i + 1 < cuts.Length ? cuts[i + 1] : bytes.Length;
            var next = new BufferSegment(bytes.AsMemory(cuts[i], end - cuts[i]), cuts[i]);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}

/// <summary>Finds the captured requests copied next to the binary (or, from BenchmarkDotNet's generated project, above it).</summary>
internal static class Fixtures
{
    public static byte[] Read(string name)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "Fixtures", name);
            if (File.Exists(candidate))
            {
                return File.ReadAllBytes(candidate);
            }

            string source = Path.Combine(dir.FullName, "tests", "FastS3.Http.Tests", "Fixtures", name);
            if (File.Exists(source))
            {
                return File.ReadAllBytes(source);
            }
        }

        throw new FileNotFoundException($"fixture {name} not found above {AppContext.BaseDirectory}");
    }
}
