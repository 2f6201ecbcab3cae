using FastS3.Fuzz;
using SharpFuzz;

// FastS3.Fuzz TARGET                 under afl-fuzz: the persistent loop, input on stdin (outside AFL: stdin once)
// FastS3.Fuzz repro TARGET FILE...   runs each file through TARGET, prints what failed, exits 1 if any did
// FastS3.Fuzz seed DIR               writes the generated seeds to DIR/<target>/
if (args is ["seed" or "repro", ..])
{
    // Instrumented code records coverage into AFL's map: give it one of its own outside afl-fuzz.
    unsafe
    {
        SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16);
    }
}

switch (args)
{
    case ["seed", string directory]:
        Seeds.Write(directory);
        return 0;

    case ["repro", string name, .. string[] files] when Targets.TryGet(name, out Action<byte[]>? target):
        int failed = 0;
        foreach (string file in files)
        {
            try
            {
                Targets.RunGuarded(target, File.ReadAllBytes(file));
                Console.WriteLine($"ok    {file}");
            }
            catch (Exception ex)
            {
                failed++;
                Console.WriteLine($"FAIL  {file}\n{ex}");
            }
        }

        return failed == 0 ? 0 : 1;

    case [string name] when Targets.TryGet(name, out Action<byte[]>? target):
        Fuzzer.Run(stream =>
        {
            using var input = new MemoryStream();
            stream.CopyTo(input);
            Targets.RunGuarded(target, input.ToArray());
        });
        return 0;

    default:
        Console.Error.WriteLine($"usage: FastS3.Fuzz TARGET | repro TARGET FILE... | seed DIR\ntargets: {string.Join(", ", Targets.Names)}");
        return 2;
}
