using System.Diagnostics;
using System.Text.RegularExpressions;
using FastS3.Testing;

namespace FastS3.Tests.Storage.InMemory;

/// <summary>
/// The S3 suite once more, with every in-process server on the in-memory store (<see cref="MemoryStore"/>):
/// the same assembly run again with FASTS3_TEST_STORE=memory, leaving out the tests marked
/// <c>[Trait("Store", "Disk")]</c>: they read or damage the disk store's own files, restart on its
/// DATA_DIR, or run the server as a process of its own (which always has the disk store; running
/// those twice at once would also race on the shared AOT publish). What passes on both stores
/// depends on the seam's promises, not on the disk store's ways.
/// </summary>
[RunsLong]
public sealed partial class InMemorySuiteTests
{
    [Fact]
    public async Task TheS3SuitePassesOnTheInMemoryStore()
    {
        var start = new ProcessStartInfo("dotnet", ["test", Path.Combine(AppContext.BaseDirectory, "FastS3.Tests.dll"), "--filter", $"Store!=Disk&FullyQualifiedName!~{nameof(InMemorySuiteTests)}"]);
        start.Environment["FASTS3_TEST_STORE"] = "memory";
        (int exitCode, string stdout, string stderr) = await Processes.RunAsync(start, TimeSpan.FromMinutes(20));

        Match totals = Totals().Match(stdout);
        string failed = string.Join("\n", FailedTest().Matches(stdout).Select(match => match.Value.Trim()).Distinct().Take(40));
        Assert.True(exitCode == 0 && totals.Success, $"exit {exitCode}; {totals.Value}\n{failed}\n{stderr[^Math.Min(stderr.Length, 2000)..]}");
        Assert.True(int.Parse(totals.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 500, $"too few tests ran on the in-memory store: {totals.Value}");
    }

    [GeneratedRegex(@"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+(\d+)")]
    private static partial Regex Totals();

    [GeneratedRegex(@"^\s+Failed FastS3\.\S+", RegexOptions.Multiline)]
    private static partial Regex FailedTest();
}
