using ScottPlot;

namespace FastS3.Load.Reporting;

/// <summary>PNG bar charts of the medians (ScottPlot, rendered by Skia): throughput and latency per scenario, and an overview of ratios.</summary>
internal static class Charts
{
    private const int Width = 800;
    private const int Height = 450;

    public static string Throughput(string directory, string scenario, List<Summary> targets)
    {
        var plot = new Plot();
        bool bytes = targets[0].SizeBytes >= 1 << 20;
        var bars = targets.Select((t, i) => new Bar
        {
            Position = i,
            Value = bytes ? t.MegabytesPerSecond : t.RequestsPerSecond,
            FillColor = ColorOf(i),
            Label = bytes ? $"{t.MegabytesPerSecond:F0} MB/s ({t.RequestsPerSecond:F2} req/s)" : $"{t.RequestsPerSecond:F0} req/s",
        }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(targets.Select((_, i) => (double)i).ToArray(), targets.Select(t => t.Target).ToArray());
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Title($"{scenario}: {(bytes ? "MB/s" : "requests/s")} (median of {targets[0].Rounds})");
        plot.YLabel(bytes ? "MB/s (10^6 B)" : "requests per second");
        return Save(plot, directory, $"{scenario}-throughput.png");
    }

    public static string Latency(string directory, string scenario, List<Summary> targets)
    {
        var plot = new Plot();
        (string Name, Func<Summary, double> Value)[] percentiles = [("p50", s => s.P50Ms), ("p90", s => s.P90Ms), ("p99", s => s.P99Ms), ("p99.9", s => s.P999Ms)];
        double groupWidth = targets.Count + 1;
        var bars = new List<Bar>();
        for (int p = 0; p < percentiles.Length; p++)
        {
            for (int t = 0; t < targets.Count; t++)
            {
                bars.Add(new Bar { Position = p * groupWidth + t, Value = percentiles[p].Value(targets[t]), FillColor = ColorOf(t) });
            }
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(percentiles.Select((_, p) => p * groupWidth + (targets.Count - 1) / 2.0).ToArray(), percentiles.Select(p => p.Name).ToArray());
        plot.Axes.Margins(bottom: 0, top: 0.15);
        Legend(plot, targets.Select(t => t.Target));
        plot.Title($"{scenario}: latency percentiles (median of {targets[0].Rounds})");
        plot.YLabel("milliseconds");
        return Save(plot, directory, $"{scenario}-latency.png");
    }

    /// <summary>Every scenario's req/s as a percentage of the first target's: the one picture of a comparison.</summary>
    public static string Ratios(string directory, List<(string Scenario, List<Summary> Targets)> scenarios, IReadOnlyList<string> targetNames)
    {
        var plot = new Plot();
        double groupWidth = targetNames.Count + 1;
        var bars = new List<Bar>();
        for (int s = 0; s < scenarios.Count; s++)
        {
            Summary? baseline = scenarios[s].Targets.FirstOrDefault(t => t.Target == targetNames[0]);
            for (int t = 0; t < targetNames.Count; t++)
            {
                Summary? summary = scenarios[s].Targets.FirstOrDefault(x => x.Target == targetNames[t]);
                if (baseline is { RequestsPerSecond: > 0 } && summary is not null)
                {
                    double percent = 100 * summary.RequestsPerSecond / baseline.RequestsPerSecond;
                    bars.Add(new Bar { Position = s * groupWidth + t, Value = percent, FillColor = ColorOf(t), Label = $"{percent:F0}%" });
                }
            }
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(scenarios.Select((_, s) => s * groupWidth + (targetNames.Count - 1) / 2.0).ToArray(), scenarios.Select(s => s.Scenario).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = scenarios.Count > 4 ? 30 : 0;
        plot.Axes.Bottom.TickLabelStyle.Alignment = scenarios.Count > 4 ? Alignment.MiddleLeft : Alignment.UpperCenter;
        plot.Axes.Margins(bottom: 0, top: 0.15);
        Legend(plot, targetNames);
        plot.Title($"requests/s relative to {targetNames[0]} (median over rounds)");
        plot.YLabel($"% of {targetNames[0]}");
        return Save(plot, directory, "ratios.png");
    }

    private static void Legend(Plot plot, IEnumerable<string> names)
    {
        int i = 0;
        foreach (string name in names)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = name, FillColor = ColorOf(i++) });
        }

        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static Color ColorOf(int index) => new ScottPlot.Palettes.Category10().GetColor(index);

    private static string Save(Plot plot, string directory, string file)
    {
        plot.SavePng(Path.Combine(directory, file), Width, Height);
        return file;
    }
}
