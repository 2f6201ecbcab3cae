using System.Diagnostics;
using System.Text;
using FastS3.Storage.Disk.Index;
using static FastS3.Tests.Storage.Disk.Index.IndexTestData;

namespace FastS3.Tests.Storage.Disk.Index;

/// <summary>
/// A real crash: a child process writes with 16 writers (flushes and compactions running) and is
/// killed with SIGKILL at a random moment; the reopened index must hold every acknowledged write.
/// Twice, the second child writing on top of what the first recovered.
/// </summary>
[Trait("Store", "Disk")]
public sealed class OrderedIndexCrashTests : IDisposable
{
    private readonly string _directory = NewDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AcknowledgedWritesSurviveSigkill()
    {
        var random = new Random();
        var lastAcknowledged = new Dictionary<(string Round, int Writer), int>();
        foreach (string round in new[] { "r0", "r1" })
        {
            int[] acknowledged = await RunAndKillAsync(round, killAfter: 1500 + random.Next(3000));
            for (int writer = 0; writer < CrashChild.Writers; writer++)
            {
                lastAcknowledged[(round, writer)] = acknowledged[writer];
            }

            await using OrderedIndex index = OrderedIndex.Open(_directory, CrashChild.Options);
            long count = 0;
            foreach (((string writtenRound, int writer), int last) in lastAcknowledged)
            {
                count += AssertWriterState(index, writtenRound, writer, last);
            }

            Assert.Equal(count, index.Count);
        }
    }

    /// <summary>
    /// The writer's keys hold the effect of operations 0..last, plus perhaps the one after (in
    /// flight when the process died). Returns how many keys it has.
    /// </summary>
    private static int AssertWriterState(OrderedIndex index, string round, int writer, int last)
    {
        string prefix = CrashChild.Prefix(round, writer);
        var actual = new List<string>();
        using (IndexIterator iterator = index.Seek(Encoding.UTF8.GetBytes(prefix)))
        {
            while (iterator.MoveNext() && iterator.Key.StartsWith(Encoding.UTF8.GetBytes(prefix)))
            {
                string key = Encoding.UTF8.GetString(iterator.Key);
                Assert.Equal(CrashChild.Value(key), iterator.Value.ToArray());
                actual.Add(key);
            }
        }

        var expected = new SortedSet<string>(StringComparer.Ordinal);
        for (int op = 0; op <= last; op++)
        {
            Apply(expected, CrashChild.Operation(round, writer, op));
        }

        var withInFlight = new SortedSet<string>(expected, StringComparer.Ordinal);
        Apply(withInFlight, CrashChild.Operation(round, writer, last + 1));
        Assert.True(actual.SequenceEqual(expected) || actual.SequenceEqual(withInFlight),
            $"{prefix}: last acknowledged operation {last}; index holds [{string.Join(", ", actual)}]");
        return actual.Count;

        static void Apply(SortedSet<string> keys, (string Key, bool Delete) operation)
        {
            if (operation.Delete)
            {
                keys.Remove(operation.Key);
            }
            else
            {
                keys.Add(operation.Key);
            }
        }
    }

    /// <summary>Starts the child, kills it once it has acknowledged <paramref name="killAfter"/> operations, returns each writer's last acknowledged one.</summary>
    private async Task<int[]> RunAndKillAsync(string round, int killAfter)
    {
        string assembly = typeof(CrashChild).Assembly.Location;
        var start = new ProcessStartInfo(DotnetHost(), [assembly])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["DOTNET_STARTUP_HOOKS"] = assembly,
                [CrashChild.DirectoryVariable] = _directory,
                [CrashChild.RoundVariable] = round,
            },
        };

        int[] last = [.. Enumerable.Repeat(-1, CrashChild.Writers)];
        int acknowledged = 0;
        using Process child = Process.Start(start)!;
        Task<string> errors = child.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            // Lines still in the pipe after the kill were acknowledged too.
            string[] parts = line.Split(' ');
            int writer = int.Parse(parts[0]);
            int op = int.Parse(parts[1]);
            Assert.Equal(last[writer] + 1, op);
            last[writer] = op;
            if (++acknowledged == killAfter)
            {
                child.Kill();
            }
        }

        await child.WaitForExitAsync(timeout.Token);
        Assert.True(acknowledged >= killAfter, $"the child exited after {acknowledged} operations: {await errors}");
        Assert.Equal(137, child.ExitCode);
        return last;
    }

    private static string DotnetHost()
        => Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
}
