using FastS3.Http.Tests.Infrastructure;
using FastS3.Testing;

namespace FastS3.Http.Tests;

/// <summary>Inputs the fuzzer (tests/fuzz) found mishandled, replayed through the same connection loop.</summary>
public class FuzzFindingTests
{
    [Fact]
    public async Task EmptyLinesBeforeARequestAreSkippedWhereverTheyAreSplit()
    {
        // A CR and its LF arriving in different reads made the request line start with "\r\n": 400.
        byte[] request = "\r\n\r\nDELETE /b/k?versionId=1 HTTP/1.1\r\nhost:h\r\n\r\n"u8.ToArray();
        for (int split = 1; split < request.Length; split++)
        {
            var app = new RecordingApplication();
            string raw = await InMemoryConnection.RunAsync(app, SegmentedPipeReader.SplitAt(request, split));
            Assert.True(RawResponses.Status(raw) == 200, $"split at {split}: {raw}");
            Assert.Equal("/b/k?versionId=1", Assert.Single(app.Requests).Target);
        }
    }
}
