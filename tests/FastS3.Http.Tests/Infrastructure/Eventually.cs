using System.Diagnostics;

namespace FastS3.Http.Tests.Infrastructure;

/// <summary>Waits for what a server does in its own time: a connection counted out, a socket let go.</summary>
internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after 10 s.</summary>
    public static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "condition not met in 10 s");
            await Task.Delay(20);
        }
    }
}
