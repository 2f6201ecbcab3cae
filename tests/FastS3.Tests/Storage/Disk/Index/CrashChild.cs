using System.Text;
using FastS3.Storage.Disk.Index;

namespace FastS3.Tests.Storage.Disk.Index;

/// <summary>
/// The workload of the process that <see cref="OrderedIndexCrashTests"/> kills with SIGKILL. It
/// runs as a startup hook of this test assembly (see <see cref="StartupHook"/>), so the test
/// needs no separate program. Each writer performs a fixed sequence of operations and prints
/// "writer op" once an operation is acknowledged.
/// </summary>
internal static class CrashChild
{
    public const string DirectoryVariable = "FASTS3_INDEX_CRASH_DIRECTORY";
    public const string RoundVariable = "FASTS3_INDEX_CRASH_ROUND";
    public const int Writers = 16;

    // Small enough that flushes and compactions are in progress at any moment.
    public static OrderedIndexOptions Options => new() { MemtableSize = 48 * 1024, MaxTables = 2, BlockSize = 1024 };

    public static void Run(string directory, string round)
    {
        OrderedIndex index = OrderedIndex.Open(directory, Options);
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            for (int op = 0; ; op++)
            {
                (string key, bool delete) = Operation(round, writer, op);
                byte[] keyBytes = Encoding.UTF8.GetBytes(key);
                await (delete ? index.DeleteAsync(keyBytes) : index.PutAsync(keyBytes, Value(key)));
                Console.Out.WriteLine($"{writer} {op}");
            }
        }))];
        Task.WaitAll(writers);
    }

    /// <summary>Operation <paramref name="op"/> of a writer: every fifth deletes a key put three operations earlier.</summary>
    public static (string Key, bool Delete) Operation(string round, int writer, int op)
        => op % 5 == 4 ? (Key(round, writer, op - 3), true) : (Key(round, writer, op), false);

    public static string Prefix(string round, int writer) => $"{round}/w{writer:D2}/";

    public static byte[] Value(string key) => Encoding.UTF8.GetBytes(key + "|" + new string('x', 60 + (key.Length * 7 % 90)));

    private static string Key(string round, int writer, int op) => $"{Prefix(round, writer)}{op:D7}";
}
