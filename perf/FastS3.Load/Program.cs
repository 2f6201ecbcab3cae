using System.CommandLine;
using System.Runtime.InteropServices;
using FastS3.Load.Cli;

var root = new RootCommand("fasts3-load: HTTP load generator for S3 endpoints on this machine (FastS3 or a peer).")
{
    LoadCommand.Create("run", "Run scenarios against one target.", compare: false),
    LoadCommand.Create("compare", "Run the same scenarios against two or more targets in alternating rounds; report medians and ratios.", compare: true),
    ReportCommand.Create(),
    PresignCommand.Create(),
};

// First Ctrl+C or SIGTERM: stop issuing requests, let those in flight finish, and still write the results so far.
// A second Ctrl+C ends the process at once.
using var stop = new CancellationTokenSource();
using PosixSignalRegistration onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using PosixSignalRegistration onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token);

void Stop(PosixSignalContext context)
{
    context.Cancel = !stop.IsCancellationRequested;
    if (context.Cancel)
    {
        Console.Error.WriteLine("\nstopping: finishing requests in flight (again to quit now)");
        stop.Cancel();
    }
}
