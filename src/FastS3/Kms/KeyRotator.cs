namespace FastS3.Kms;

/// <summary>
/// Performs automatic key rotation: at start-up and then every <see cref="CheckEvery"/>, each key
/// whose rotation is due (<see cref="RotationSchedule"/>, from dates kept in the ring, so a restart
/// loses nothing) gets a new version. A check with nothing due only looks at the ring in memory;
/// a rotation goes through <see cref="BuiltInKms.Update"/>, whose compare-and-swap lets processes
/// sharing the ring add one version between them. A new version starts the background re-wrap.
/// </summary>
public sealed class KeyRotator : IAsyncDisposable
{
    public static readonly TimeSpan CheckEvery = TimeSpan.FromHours(1);

    private readonly BuiltInKms _kms;
    private readonly TimeProvider _clock;
    private readonly Action<string> _info;
    private readonly Action<string> _warning;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private KeyRotator(BuiltInKms kms, TimeProvider clock, Action<string> info, Action<string> warning)
    {
        _kms = kms;
        _clock = clock;
        _info = info;
        _warning = warning;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Starts checking, the first time now; <paramref name="clock"/> says what day it is.</summary>
    public static KeyRotator Start(BuiltInKms kms, TimeProvider clock, Action<string> info, Action<string> warning) => new(kms, clock, info, warning);

    /// <summary>Rotates the keys due at <paramref name="now"/>; the ids of those this call rotated.</summary>
    public static IReadOnlyList<string> RotateDue(BuiltInKms kms, DateTimeOffset now)
    {
        if (!kms.Ring.Keys.Any(key => RotationSchedule.IsDue(key, now)))
        {
            return [];
        }

        // The ring the change was last applied to: the one the stored result was made from.
        KeyRing before = kms.Ring;
        KeyRing after = kms.Update(ring => RotationSchedule.RotateDue(before = ring, now));
        return [.. after.Keys.Where(key => before.Find(key.Id) is { } old && old.Versions.Count < key.Versions.Count).Select(key => key.Id)];
    }

    private async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                try
                {
                    foreach (string id in RotateDue(_kms, _clock.GetUtcNow()))
                    {
                        _info($"kms: key {id} rotated automatically; its objects move to the new version in the background");
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The ring could not be stored (a full disk, an unreachable upstream): nothing changed.
                    _warning($"kms: automatic key rotation failed, tried again in {CheckEvery.TotalMinutes:0} minutes: {ex.Message}");
                }

                await Task.Delay(CheckEvery, _clock, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
