using FastS3.Fuzz;

namespace FastS3.Tests;

/// <summary>
/// Every input of the committed fuzz corpus (tests/fuzz/corpus: what AFL++ kept, crashes found and
/// fixed included) through its target, uninstrumented, with the same oracles AFL ran them under:
/// a finding fixed once stays fixed, without anyone running the fuzzer.
/// </summary>
public class FuzzCorpusTests
{
    public static TheoryData<string> TargetNames() => [.. Targets.Names];

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void CorpusReplaysClean(string target)
    {
        Assert.True(Targets.TryGet(target, out Action<byte[]>? run));
        string[] inputs = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "FuzzCorpus", target));
        Assert.NotEmpty(inputs);
        var failures = new List<string>();
        foreach (string input in inputs)
        {
            try
            {
                Targets.RunGuarded(run, File.ReadAllBytes(input));
            }
            catch (Exception ex)
            {
                failures.Add($"{Path.GetFileName(input)}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {inputs.Length} {target} inputs failed:\n{string.Join("\n", failures)}");
    }
}
