using System.Globalization;

namespace FastS3.Load.Scenarios;

/// <summary>The once-a-second status line on stderr: rewritten in place on a terminal, one line each when redirected.</summary>
internal sealed class ProgressLine(string label)
{
    private static readonly bool InPlace = !Console.IsErrorRedirected;
    private long _lastRequests;
    private long _lastBytes;
    private TimeSpan _lastElapsed;

    public void Update(TimeSpan elapsed, long requests, long bytes, long errors, double p99Ms)
    {
        double seconds = (elapsed - _lastElapsed).TotalSeconds;
        if (seconds <= 0)
        {
            return;
        }

        string line = string.Create(CultureInfo.InvariantCulture,
            $"{label} {elapsed.TotalSeconds,5:F0}s  {(requests - _lastRequests) / seconds,9:F1} req/s  {(bytes - _lastBytes) / seconds / 1e6,8:F1} MB/s  p99 {p99Ms,8:F2} ms  errors {errors}");
        (_lastRequests, _lastBytes, _lastElapsed) = (requests, bytes, elapsed);
        if (InPlace)
        {
            Console.Error.Write("\r" + line.PadRight(Console.WindowWidth > 0 ? Math.Min(Console.WindowWidth - 1, 120) : 0));
        }
        else
        {
            Console.Error.WriteLine(line);
        }
    }

    public void Done()
    {
        if (InPlace)
        {
            Console.Error.Write("\r\u001b[2K");
        }
    }
}
