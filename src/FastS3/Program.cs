using System.CommandLine;
using FastS3.Cli;

var root = new RootCommand("FastS3: an S3-compatible object server with SSE-C.")
{
    ServerCommand.Create(),
    CertgenCommand.Create(),
    AdminCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
