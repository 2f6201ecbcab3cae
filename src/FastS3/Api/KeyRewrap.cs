using System.Globalization;
using System.Text;
using FastS3.Http;
using FastS3.Kms;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// After a KMS key gets a new version, moves every SSE-S3/KMS object's (and upload's) sealed key to
/// it, in the background: only the encryption field of each record changes (one unwrap, one wrap),
/// never data, metadata or ETag, and each record is replaced only over the very record it was read
/// as, so a write meanwhile is never undone. Resumable and crash-safe: a pass is recorded as server
/// state (<see cref="StateItem"/>) with its cursor, saved as it goes, so a restart (even after
/// SIGKILL) resumes where the last save was; the records already moved are skipped. Objects stay
/// readable throughout, as older versions stay in the ring. Progress is logged and counted.
/// <code>  state "kms-rewrap": "1" LF bucket LF table (objects | uploads) LF hex of the last key done   (empty: no pass)</code>
/// </summary>
public sealed class KeyRewrap : IAsyncDisposable
{
    public const string StateItem = "kms-rewrap";

    private const int SaveEvery = 100;
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(10);

    private readonly Store _store;
    private readonly BuiltInKms _kms;
    private readonly IServerLog _log;
    private readonly int _perSecond;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _scanned;
    private long _rewrapped;

    private KeyRewrap(Store store, BuiltInKms kms, IServerLog log, int perSecond)
    {
        _store = store;
        _kms = kms;
        _log = log;
        _perSecond = perSecond;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Records looked at and moved, since start: the progress operators see.</summary>
    public long Scanned => Interlocked.Read(ref _scanned);

    public long Rewrapped => Interlocked.Read(ref _rewrapped);

    /// <summary>Whether a pass is under way (or waiting to resume).</summary>
    public bool Pending => _store.ReadState(StateItem) is { Length: > 0 };

    /// <summary>Starts the worker; a pass left unfinished by the last run resumes now. <paramref name="perSecond"/> bounds records per second (0: no bound).</summary>
    public static KeyRewrap Start(Store store, BuiltInKms kms, IServerLog log, int perSecond) => new(store, kms, log, perSecond);

    private async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                byte[]? state = _store.ReadState(StateItem);
                if (state is not { Length: > 0 })
                {
                    await _kms.WaitForRotationAsync(stop);
                    byte[] start = Cursor.Start.Encode();
                    if (!_store.TryReplaceState(StateItem, state, start))
                    {
                        continue;
                    }

                    state = start;
                }

                await PassAsync(state, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // The next start resumes from the last saved cursor.
            _log.Error("kms re-wrap stopped; it resumes at the next start", ex);
        }
    }

    private async Task PassAsync(byte[] state, CancellationToken stop)
    {
        Cursor cursor = Cursor.Decode(state);
        _log.Info(cursor.Bucket.Length == 0 ? "kms re-wrap: moving sealed object keys to the newest key versions" : $"kms re-wrap: resuming at bucket {cursor.Bucket}");
        long startedScanned = Scanned, startedRewrapped = Rewrapped;
        DateTime nextReport = DateTime.UtcNow + ReportEvery;
        long sinceSave = 0;
        var paced = System.Diagnostics.Stopwatch.StartNew();
        long pacedCount = 0;
        foreach ((string name, _) in _store.ListBuckets())
        {
            if (string.CompareOrdinal(name, cursor.Bucket) < 0 || _store.FindBucket(Encoding.ASCII.GetBytes(name)) is not { } bucket)
            {
                continue;
            }

            byte[] bucketName = Encoding.ASCII.GetBytes(name);
            foreach (Table table in new[] { Table.Objects, Table.Uploads })
            {
                if (name == cursor.Bucket && table < cursor.Table)
                {
                    continue;
                }

                IRecordTable records = table == Table.Objects ? bucket.Objects : bucket.Uploads.Records;
                byte[] after = name == cursor.Bucket && table == cursor.Table ? cursor.After : [];
                foreach ((byte[] key, byte[] value) in Snapshot(records, after))
                {
                    stop.ThrowIfCancellationRequested();
                    await RewrapAsync(records, bucketName, key, value, table);
                    Interlocked.Increment(ref _scanned);
                    if (++sinceSave >= SaveEvery)
                    {
                        state = Save(state, new Cursor(name, table, key));
                        sinceSave = 0;
                    }

                    if (_perSecond > 0 && ++pacedCount * 1000 / _perSecond > paced.ElapsedMilliseconds)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds((pacedCount * 1000 / _perSecond) - paced.ElapsedMilliseconds), stop);
                    }

                    if (DateTime.UtcNow >= nextReport)
                    {
                        _log.Info($"kms re-wrap: {Scanned - startedScanned} records looked at, {Rewrapped - startedRewrapped} moved; at bucket {name}");
                        nextReport = DateTime.UtcNow + ReportEvery;
                    }
                }
            }
        }

        Save(state, null);
        _log.Info($"kms re-wrap: done, {Scanned - startedScanned} records looked at, {Rewrapped - startedRewrapped} moved to the newest key versions");
    }

    /// <summary>The table's records after <paramref name="after"/>, a batch at a time, so no cursor stays open across a write.</summary>
    private static IEnumerable<(byte[] Key, byte[] Value)> Snapshot(IRecordTable records, byte[] after)
    {
        const int batch = 256;
        var found = new List<(byte[], byte[])>(batch);
        while (true)
        {
            found.Clear();
            using (IRecordCursor cursor = after.Length == 0 ? records.Seek([]) : records.SeekAfter(after))
            {
                while (found.Count < batch && cursor.MoveNext())
                {
                    found.Add((cursor.Key.ToArray(), cursor.Value.ToArray()));
                }
            }

            foreach ((byte[] key, byte[] value) item in found)
            {
                yield return item;
            }

            if (found.Count < batch)
            {
                yield break;
            }

            after = found[^1].Item1;
        }
    }

    private async ValueTask RewrapAsync(IRecordTable records, byte[] bucket, byte[] key, byte[] value, Table table)
    {
        if (!TryGetObjectName(table, key, out ReadOnlySpan<byte> objectName) || !ObjectRecord.TryRead(value, out ObjectRecord record) || !record.Has(RecordFlags.Encrypted)
            || ServerKeys.Rewrap(_kms, bucket, objectName, record.Field(RecordField.Encryption)) is not { } field)
        {
            return;
        }

        byte[] rewrapped = record.With(RecordField.Encryption, field);
        RecordWrite result = await records.PutAsync(key, rewrapped, (current, exists) => exists && current.SequenceEqual(value));
        if (result.Applied)
        {
            Interlocked.Increment(ref _rewrapped);
        }
    }

    /// <summary>
    /// The object key a record with a sealed key is sealed for: objects', the bucket's completed
    /// uploads' (they answer a retried Complete) and uploads' in progress. False for other records.
    /// </summary>
    private static bool TryGetObjectName(Table table, byte[] key, out ReadOnlySpan<byte> objectName)
    {
        if (table == Table.Uploads)
        {
            return MultipartUploads.TrySplitUploadKey(key, out objectName, out _);
        }

        objectName = key;
        return Bucket.IsObjectKey(key) || CompletedUploads.TryGetObjectKey(key, out objectName);
    }

    /// <summary>Saves the cursor (null: the pass is done), over the state it read; returns what is stored now.</summary>
    private byte[] Save(byte[] state, Cursor? cursor)
    {
        byte[] next = cursor?.Encode() ?? [];
        if (!_store.TryReplaceState(StateItem, state, next))
        {
            // A rotation restarted the pass meanwhile: keep going, the next pass starts from its cursor.
            return _store.ReadState(StateItem) ?? [];
        }

        return next;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private enum Table
    {
        Objects,
        Uploads,
    }

    private sealed record Cursor(string Bucket, Table Table, byte[] After)
    {
        public static Cursor Start { get; } = new("", Table.Objects, []);

        public byte[] Encode() => Encoding.ASCII.GetBytes($"1\n{Bucket}\n{(Table == Table.Objects ? "objects" : "uploads")}\n{Convert.ToHexString(After)}");

        /// <summary>Reads a saved cursor; one it cannot read starts the pass over (records already moved are skipped).</summary>
        public static Cursor Decode(byte[] state)
        {
            string[] lines = Encoding.ASCII.GetString(state).Split('\n');
            if (lines.Length != 4 || lines[0] != "1" || (lines[1].Length > 0 && !BucketName.IsValid(lines[1])) || lines[3].Length % 2 != 0 || !lines[3].All(char.IsAsciiHexDigit))
            {
                return Start;
            }

            return new Cursor(lines[1], lines[2] == "uploads" ? Table.Uploads : Table.Objects, Convert.FromHexString(lines[3]));
        }
    }
}
