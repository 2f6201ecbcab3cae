namespace FastS3.Tests.Architecture;

/// <summary>
/// The layers of the server, read from the compiled assemblies (<see cref="DependencyReader"/>):
/// <code>
///   Program, then Cli                                          wiring, may use every layer
///   Operations                                                 probes and metrics in front of S3
///   Api, KmsApi                                                S3 semantics; the AWS KMS API (never uses Api)
///   Kms                                                        the built-in KMS: key ring, master key, bucket keys
///   Auth, Crypto, Checksums, Xml, Tls                          siblings: none uses another
///   Storage                                                    the storage seam
///   Storage.Disk, .Disk.Index, .Disk.Native (the disk store)    behind the seam: only Cli wires it in
///   Upstream                                                   the S3 client of gateway mode: BCL, Basics, Buffers, Memory
///   Basics, Buffers                                            leaf basics: use no other layer
///   Memory (in the transport's assembly, which needs it first) the pinned, zeroing buffer pool
/// </code>
/// Arrows point downward only; FastS3.Http (transport) is used by the layers that read requests
/// and write responses, never by Crypto, storage or the basics; files (File, Directory, FileStream,
/// RandomAccess, SafeFileHandle) are touched only by the disk store and by the process's own files
/// (Cli and Tls: set-up, certificates; Operations: the access log, /proc).
/// </summary>
public sealed class ArchitectureTests
{
    private const string Root = "FastS3";

    private static readonly Dictionary<string, int> Rank = new()
    {
        [Root] = 9,
        ["FastS3.Cli"] = 8,
        ["FastS3.Operations"] = 7,
        ["FastS3.Api"] = 6,
        ["FastS3.KmsApi"] = 6,
        ["FastS3.Kms"] = 5,
        ["FastS3.Auth"] = 4,
        ["FastS3.Crypto"] = 4,
        ["FastS3.Checksums"] = 4,
        ["FastS3.Xml"] = 4,
        ["FastS3.Tls"] = 4,
        ["FastS3.Storage"] = 3,
        ["FastS3.Crypto.OpenSsl"] = 3,
        ["FastS3.Storage.Disk"] = 2,
        ["FastS3.Storage.Disk.Index"] = 2,
        ["FastS3.Storage.Disk.Native"] = 2,
        ["FastS3.Upstream"] = 2,
        ["FastS3.Basics"] = 1,
        ["FastS3.Buffers"] = 1,
        ["FastS3.Memory"] = 0,
    };

    /// <summary>The disk store: below the seam, and wired in by Cli alone.</summary>
    private static readonly HashSet<string> DiskStore = ["FastS3.Storage.Disk", "FastS3.Storage.Disk.Index", "FastS3.Storage.Disk.Native"];

    private static readonly HashSet<string> HttpUsers = [Root, "FastS3.Cli", "FastS3.Operations", "FastS3.Api", "FastS3.KmsApi", "FastS3.Auth", "FastS3.Checksums", "FastS3.Xml", "FastS3.Tls"];

    private static readonly HashSet<string> FileUsers = ["FastS3.Cli", "FastS3.Tls", "FastS3.Operations", .. DiskStore];

    private static readonly HashSet<string> FileTypes = ["System.IO.File", "System.IO.Directory", "System.IO.FileStream", "System.IO.RandomAccess", "Microsoft.Win32.SafeHandles.SafeFileHandle"];

    [Fact]
    public void EveryDependencyPointsDown()
    {
        List<TypeUse> uses = Uses("fasts3.dll");
        var found = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        void Note(string violation, TypeUse use) => (found.TryGetValue(violation, out SortedSet<string>? examples) ? examples : found[violation] = []).Add($"{use.FromType} uses {use.Type}");

        foreach (TypeUse use in uses)
        {
            Assert.True(Rank.ContainsKey(use.FromNamespace), $"{use.FromNamespace} ({use.FromType}) has no place in the layers: add it to {nameof(Rank)}");
            string to = use.Namespace;
            if (FileTypes.Contains(to + "." + use.Type) && !FileUsers.Contains(use.FromNamespace))
            {
                Note($"{use.FromNamespace} -> files", use);
            }
            else if (to == "FastS3.Http" || to.StartsWith("FastS3.Http.", StringComparison.Ordinal))
            {
                if (!HttpUsers.Contains(use.FromNamespace))
                {
                    Note($"{use.FromNamespace} -> FastS3.Http", use);
                }
            }
            else if ((to == Root || to.StartsWith(Root + ".", StringComparison.Ordinal)) && to != use.FromNamespace && !Allowed(use.FromNamespace, to))
            {
                Note($"{use.FromNamespace} -> {to}", use);
            }
        }

        Assert.True(found.Count == 0, "Dependencies against the layers:\n" + string.Join("\n", found.Select(violation => $"{violation.Key}: {string.Join("; ", violation.Value.Take(5))}")));
    }

    [Fact]
    public void NoNamespacesDependOnEachOther()
    {
        List<TypeUse> uses = Uses("fasts3.dll");
        var edges = uses.Where(use => Rank.ContainsKey(use.Namespace) && use.Namespace != use.FromNamespace)
            .Select(use => (use.FromNamespace, use.Namespace)).ToHashSet();
        Assert.True(Cycles(edges).Count == 0, "Cycles between namespaces: " + string.Join("; ", Cycles(edges).Select(cycle => string.Join(", ", cycle))));
    }

    [Fact]
    public void TheTransportKnowsNothingOfTheServer()
    {
        List<TypeUse> uses = Uses("FastS3.Http.dll");
        static bool Transport(string ns) => ns.StartsWith("FastS3.Http", StringComparison.Ordinal) || ns == "FastS3.Memory";
        string[] outside = [.. uses.Where(use => use.Namespace.StartsWith(Root, StringComparison.Ordinal) && !Transport(use.Namespace))
            .Select(use => $"{use.FromType} uses {use.Namespace}.{use.Type}").Distinct()];
        Assert.Empty(outside);
        Assert.All(uses, use => Assert.True(Transport(use.FromNamespace), use.FromNamespace));
    }

    /// <summary>
    /// The rules' own check, on a graph made to break them: it must see an upward edge, a sideways
    /// one and a cycle, or a green run would prove nothing.
    /// </summary>
    [Fact]
    public void TheRulesCatchWhatTheyForbid()
    {
        Assert.False(Allowed("FastS3.Storage", "FastS3.Api"));
        Assert.False(Allowed("FastS3.Crypto", "FastS3.Auth"));
        Assert.False(Allowed("FastS3.KmsApi", "FastS3.Api"));
        Assert.True(Allowed("FastS3.KmsApi", "FastS3.Kms"));
        Assert.True(Allowed("FastS3.Operations", "FastS3.KmsApi"));
        Assert.False(Allowed("FastS3.Api", "FastS3.Storage.Disk.Index"));
        Assert.False(Allowed("FastS3.Storage", "FastS3.Storage.Disk"));
        Assert.False(Allowed("FastS3.Operations", "FastS3.Storage.Disk"));
        Assert.True(Allowed("FastS3.Cli", "FastS3.Storage.Disk.Index"));
        Assert.True(Allowed("FastS3.Api", "FastS3.Crypto"));
        Assert.True(Allowed("FastS3.Storage.Disk.Index", "FastS3.Storage"));
        Assert.Single(Cycles([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]));
        Assert.Empty(Cycles([("a", "b"), ("b", "c"), ("a", "c")]));
    }

    /// <summary>The type uses of an assembly beside the tests; top-level statements (Program, no namespace) count as the root's.</summary>
    private static List<TypeUse> Uses(string assembly)
        => [.. DependencyReader.Read(Path.Combine(AppContext.BaseDirectory, assembly)).Select(use => use.FromNamespace.Length == 0 ? use with { FromNamespace = Root } : use)];

    private static bool Allowed(string from, string to)
    {
        if (DiskStore.Contains(to))
        {
            return from is Root or "FastS3.Cli" || DiskStore.Contains(from);
        }

        // The disk store sits below the seam it implements; otherwise strictly downward.
        return DiskStore.Contains(from) ? Rank[to] is 3 or 1 : Rank[from] > Rank[to];
    }

    /// <summary>The strongly connected components of more than one namespace (Tarjan).</summary>
    private static List<string[]> Cycles(IEnumerable<(string From, string To)> edges)
    {
        ILookup<string, string> next = edges.ToLookup(edge => edge.From, edge => edge.To);
        string[] nodes = [.. edges.SelectMany(edge => new[] { edge.From, edge.To }).Distinct()];
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var cycles = new List<string[]>();
        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (string to in next[node])
            {
                if (!index.ContainsKey(to))
                {
                    Visit(to);
                    low[node] = Math.Min(low[node], low[to]);
                }
                else if (stack.Contains(to))
                {
                    low[node] = Math.Min(low[node], index[to]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string popped;
                do
                {
                    popped = stack.Pop();
                    component.Add(popped);
                }
                while (popped != node);
                if (component.Count > 1)
                {
                    cycles.Add([.. component]);
                }
            }
        }

        foreach (string node in nodes.Where(node => !index.ContainsKey(node)))
        {
            Visit(node);
        }

        return cycles;
    }
}
