using System.Diagnostics;

namespace FastS3.Load.Scenarios;

/// <summary>One connection's closed loop: send, read the whole response into a reused buffer, record, repeat.</summary>
internal static class Worker
{
    /// <summary>Large enough that a 1 GiB GET costs few reads, small enough for hundreds of workers.</summary>
    public const int ReadBufferSize = 256 * 1024;

    public static async Task RunAsync(HttpMessageInvoker client, RequestPlan plan, RunBudget budget, WorkerStats stats, CancellationToken cancellationToken)
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(ReadBufferSize, pinned: true);
        while (budget.TryTake(out long ticket))
        {
            RequestFactory factory = plan.Choose(ticket);
            using HttpRequestMessage request = factory.Create(ticket, stats);
            long start = Stopwatch.GetTimestamp();
            try
            {
                using HttpResponseMessage response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
                long received = 0;
                using (Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
                {
                    int n;
                    while ((n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        received += n;
                        stats.Streamed(n);
                    }
                }

                int status = (int)response.StatusCode;
                if (status is >= 200 and < 300)
                {
                    stats.Success(Stopwatch.GetElapsedTime(start).Ticks / TimeSpan.TicksPerMicrosecond, received + factory.BodySize);
                }
                else
                {
                    stats.Failure(status);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                stats.Failure(WorkerStats.StatusCancelled);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
            {
                stats.Failure(WorkerStats.StatusTransport, ex);
            }
        }
    }
}
