using FastS3.Kms;
using FastS3.Storage;
using FastS3.Testing;
using FastS3.Tests.Storage.InMemory;

namespace FastS3.Tests.Kms;

/// <summary>
/// Automatic rotation's schedule, as AWS KMS keeps it (a period after rotation is enabled, then after
/// each automatic rotation; on-demand rotations aside; disabled keys wait), read at fixed instants,
/// and the rotator over a ring two processes share: one version per due date between them.
/// </summary>
public sealed class RotationScheduleTests
{
    private static readonly DateTimeOffset Made = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AKeyWithoutRotationIsNeverDue()
    {
        KmsKey key = Key(rotation: false);
        Assert.Null(RotationSchedule.Next(key));
        Assert.False(RotationSchedule.IsDue(key, Made.AddYears(20)));
    }

    [Fact]
    public void TheFirstRotationIsAPeriodAfterRotationWasEnabledThenAPeriodAfterEach()
    {
        DateTimeOffset enabled = Made.AddDays(400);
        KmsKey key = Key(rotation: true, since: enabled);
        Assert.Equal(enabled.AddDays(90), RotationSchedule.Next(key));
        Assert.False(RotationSchedule.IsDue(key, enabled.AddDays(90).AddTicks(-1)));
        Assert.True(RotationSchedule.IsDue(key, enabled.AddDays(90)));

        DateTimeOffset rotated = enabled.AddDays(90).AddMinutes(30);
        KmsKey once = BuiltInKms.Rotated(key, VersionOrigin.Automatic, rotated);
        Assert.Equal(rotated.AddDays(90), RotationSchedule.Next(once));
        Assert.False(RotationSchedule.IsDue(once, rotated.AddDays(89)));
    }

    [Fact]
    public void OnDemandRotationsLeaveTheScheduleAlone()
    {
        KmsKey key = Key(rotation: true);
        KmsKey rotated = BuiltInKms.Rotated(key, VersionOrigin.OnDemand, Made.AddDays(80));
        Assert.Equal(Made.AddDays(90), RotationSchedule.Next(rotated));
    }

    [Fact]
    public void ADisabledKeyWaitsAndIsRotatedOnceEnabledPastItsDate()
    {
        KmsKey disabled = Key(rotation: true) with { Enabled = false };
        Assert.False(RotationSchedule.IsDue(disabled, Made.AddDays(200)));
        Assert.True(RotationSchedule.IsDue(disabled with { Enabled = true }, Made.AddDays(200)));
    }

    [Fact]
    public void TheAwsManagedKeyRotatesEveryYear()
    {
        KmsKey key = Key(rotation: false, period: 365) with { Manager = KeyManager.Aws };
        Assert.True(key.RotatesAutomatically);
        Assert.Equal(Made.AddDays(365), RotationSchedule.Next(key));
    }

    [Fact]
    public void PeriodsMissedWhileStoppedMakeOneVersion()
    {
        var ring = new KeyRing([Key(rotation: true), Key(rotation: false, id: "other")], new Dictionary<string, string>());
        DateTimeOffset late = Made.AddDays(1000);
        KeyRing rotated = RotationSchedule.RotateDue(ring, late);
        KeyVersion added = rotated.Find("key")!.Current;
        Assert.Equal((2, VersionOrigin.Automatic, late), (added.Number, added.Origin, added.Created));
        Assert.Single(rotated.Find("other")!.Versions);
        Assert.Equal(late.AddDays(90), RotationSchedule.Next(rotated.Find("key")!));

        // Applied again (another process, the same instant or the next hour) it changes nothing.
        Assert.Same(rotated, RotationSchedule.RotateDue(rotated, late.AddHours(1)));
    }

    [Fact]
    public async Task TwoProcessesSharingTheRingAddOneVersionBetweenThem()
    {
        await using var store = new MemoryStore(new StoreOptions());
        using MasterKey master = MasterKey.Generate("test");
        BuiltInKms first = BuiltInKms.Open(store, master, null, "us-east-1", _ => { });
        var clock = new FixedClock(DateTimeOffset.UtcNow);
        KeyRing made = first.Update(ring => BuiltInKms.WithNewKey(ring, KeyManager.Customer, "", out KmsKey key)
            .With(key with { Rotation = new AutoRotation(true, 90, clock.GetUtcNow()) }));
        string id = made.Keys[^1].Id;
        BuiltInKms second = BuiltInKms.Open(store, master, null, "us-east-1", _ => { });

        // Not due yet: neither touches the ring.
        Assert.Empty(KeyRotator.RotateDue(first, clock.GetUtcNow().AddDays(89)));
        Assert.Empty(KeyRotator.RotateDue(second, clock.GetUtcNow().AddDays(89)));

        // Due: the first adds the version; the second, whose ring in memory still says due, finds it stored and adds none.
        DateTimeOffset due = clock.GetUtcNow().AddDays(90);
        Assert.Equal([id], KeyRotator.RotateDue(first, due));
        Assert.Empty(KeyRotator.RotateDue(second, due.AddMinutes(5)));
        Assert.Equal(2, second.Ring.Find(id)!.Versions.Count);
        Assert.Equal(VersionOrigin.Automatic, second.Ring.Find(id)!.Current.Origin);
    }

    [Fact]
    public async Task TheRotatorChecksAtStartUpByItsClock()
    {
        await using var store = new MemoryStore(new StoreOptions());
        using MasterKey master = MasterKey.Generate("test");
        BuiltInKms kms = BuiltInKms.Open(store, master, null, "us-east-1", _ => { });
        KeyRing made = kms.Update(ring => BuiltInKms.WithNewKey(ring, KeyManager.Customer, "", out KmsKey key)
            .With(key with { Rotation = new AutoRotation(true, 90, Made) }));
        string id = made.Keys[^1].Id;
        var logged = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        await using (KeyRotator.Start(kms, new FixedClock(Made.AddDays(91)), message => logged.TrySetResult(message), message => logged.TrySetResult(message)))
        {
            Assert.Contains($"key {id} rotated automatically", await logged.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Equal((2, Made.AddDays(91)), (kms.Ring.Find(id)!.Current.Number, kms.Ring.Find(id)!.Current.Created));
    }

    private static KmsKey Key(bool rotation, DateTimeOffset? since = null, int period = 90, string id = "key")
        => new(id, KeyManager.Customer, Made, "", Enabled: true, new AutoRotation(rotation, period, since ?? Made), [KeyVersion.Generate(1, VersionOrigin.KeyCreated, Made)]);
}
