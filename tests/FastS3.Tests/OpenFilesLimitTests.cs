using FastS3.Cli;
using FastS3.Http;

namespace FastS3.Tests;

/// <summary>The connection limit is lowered to what the open-files limit can hold, and says so.</summary>
public class OpenFilesLimitTests
{
    [Theory]
    [InlineData("20000", 10_000, 8976)]
    [InlineData("1048576", 10_000, 10_000)]
    [InlineData("3000", 100, 100)]
    [InlineData("2048", 100, 1)]
    [InlineData("unlimited", 10_000, 10_000)]
    public void ConnectionsFitTheOpenFilesLimit(string openFiles, int requested, int expected)
    {
        string limits = Path.GetTempFileName();
        try
        {
            File.WriteAllText(limits, $"""
                Limit                     Soft Limit           Hard Limit           Units
                Max processes             94385                94385                processes
                Max open files            {openFiles,-20} {openFiles,-20} files
                Max locked memory         8388608              8388608              bytes
                """);
            var log = new WarningLog();
            Assert.Equal(expected, OpenFilesLimit.Fit(requested, log, limits));
            Assert.Equal(expected < requested, log.Warnings.Count == 1);
        }
        finally
        {
            File.Delete(limits);
        }
    }

    [Fact]
    public void UnreadableLimitsLeaveTheRequest()
        => Assert.Equal(10_000, OpenFilesLimit.Fit(10_000, new WarningLog(), "/nonexistent/limits"));

    private sealed class WarningLog : IServerLog
    {
        public List<string> Warnings { get; } = [];

        public void Info(string message)
        {
        }

        public void Warning(string message) => Warnings.Add(message);

        public void Error(string message, Exception? exception = null)
        {
        }
    }
}
