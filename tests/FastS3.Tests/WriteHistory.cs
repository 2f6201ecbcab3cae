using System.Collections.Concurrent;
using System.Diagnostics;

namespace FastS3.Tests;

/// <summary>
/// Writes (a null value: a delete) to keys, each with when it started and when it was acknowledged,
/// and the rule for what a key may hold once they are over: what some write that was not refused put
/// there, provided no acknowledged write to the key started after that one was acknowledged (it would
/// have had to replace it). A write cut off (never acknowledged, never refused) may or may not have
/// happened. Thread-safe.
/// </summary>
internal sealed class WriteHistory<TValue>(Func<TValue, string> describe)
    where TValue : class
{
    private readonly ConcurrentQueue<Write> _writes = new();
    private readonly long _origin = Now;

    public static long Now => Stopwatch.GetTimestamp();

    public sealed class Write(string key, TValue? value, long start)
    {
        public string Key { get; } = key;

        public TValue? Value { get; } = value;

        public long Start { get; } = start;

        public long End { get; set; } = long.MaxValue;

        /// <summary>The server said no (a precondition, a full disk): it did not happen.</summary>
        public bool Refused { get; set; }

        public bool IsAcknowledged => End != long.MaxValue;
    }

    public IEnumerable<Write> Writes => _writes;

    public Write Begin(string key, TValue? value)
    {
        var write = new Write(key, value, Now);
        _writes.Enqueue(write);
        return write;
    }

    /// <summary>A key's state at <paramref name="at"/>, as a write that started and ended then.</summary>
    public void Assume(string key, TValue? value, long at) => _writes.Enqueue(new Write(key, value, at) { End = at });

    public static void Acknowledge(Write write) => write.End = Now;

    /// <summary>
    /// Null when <paramref name="key"/> may hold what <paramref name="holds"/> accepts (the value
    /// read back; null values stand for absent), else why not, with the key's history.
    /// </summary>
    public string? Check(string key, Func<TValue?, bool> holds)
    {
        List<Write> writes = [.. _writes.Where(w => w.Key == key)];
        List<Write> producers = [.. writes.Where(w => !w.Refused && holds(w.Value))];
        if (producers.Count == 0)
        {
            return $"{key}: no write put this there\n{Describe(writes)}";
        }

        return producers.Any(p => !writes.Any(later => later != p && later.IsAcknowledged && later.Start > p.End))
            ? null
            : $"{key}: an acknowledged write that started after the one that put this there is lost\n{Describe(writes)}";
    }

    /// <summary>The writes to <paramref name="key"/>, oldest first, for a failure message.</summary>
    public string Describe(string key) => Describe([.. _writes.Where(w => w.Key == key)]);

    private string Describe(List<Write> writes)
        => string.Join("\n", writes.OrderBy(w => w.Start).Select(w =>
            $"  {Ms(w.Start)}–{(w.Refused ? "refused" : w.IsAcknowledged ? Ms(w.End) : "never acknowledged")}: {(w.Value is null ? "delete" : "write " + describe(w.Value))}"));

    private string Ms(long ticks) => $"{(ticks - _origin) * 1000.0 / Stopwatch.Frequency:F1} ms";
}
