namespace FastS3.Load.Scenarios;

internal enum ScenarioKind
{
    Put,
    Get,
    Head,

    /// <summary>70 % GET of pre-populated objects, 30 % PUT of other keys.</summary>
    Mixed,

    /// <summary>ListObjectsV2 over the pre-populated objects (up to 1000 keys a page).</summary>
    List,
}

/// <summary>One thing to measure: a scenario at one object size, with or without SSE-C.</summary>
internal sealed record ScenarioCase(ScenarioKind Kind, long Size, bool SseC)
{
    public string Name => $"{Kind.ToString().ToLowerInvariant()}-{Cli.ByteSize.Format(Size)}{(SseC ? "-ssec" : "")}";

    /// <summary>GET, HEAD, mixed and LIST read objects that must exist before the clock starts.</summary>
    public bool NeedsObjects => Kind != ScenarioKind.Put;

    public static ScenarioKind ParseKind(string text) => Enum.TryParse(text, ignoreCase: true, out ScenarioKind kind) && !int.TryParse(text, out _)
        ? kind
        : throw new FormatException($"scenario '{text}': expected put, get, head, mixed or list");
}
