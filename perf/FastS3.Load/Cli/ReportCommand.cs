using System.CommandLine;
using FastS3.Load.Reporting;

namespace FastS3.Load.Cli;

/// <summary><c>report RESULTS.json... --out DIR</c>: merge result files (e.g. one per target) into one report.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("RESULTS") { Description = "JSON files written by run/compare --json.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Directory for report.md and the PNG charts.", Required = true };
        var command = new Command("report", "Merge JSON results into a Markdown report with PNG charts.") { files, output };
        command.SetAction(result =>
        {
            string[] paths = result.GetValue(files)!;
            Console.WriteLine($"wrote {MarkdownReport.Write(result.GetValue(output)!, paths.Select(ResultsFile.Read).ToList(), paths)}");
            return 0;
        });
        return command;
    }
}
