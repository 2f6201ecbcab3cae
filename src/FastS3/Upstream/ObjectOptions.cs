namespace FastS3.Upstream;

public sealed record PutOptions
{
    public string? ContentType { get; init; }

    /// <summary>Sent as x-amz-meta-{name}: names of letters, digits, '-', '_'; values printable ASCII.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Metadata { get; init; }

    /// <summary>RGW 16.2 compares it with the ETag unquoted: a quoted value never matches there.</summary>
    public string? IfMatch { get; init; }

    /// <summary>"*": create only. What the upstream does with it varies (see the RGW tests).</summary>
    public string? IfNoneMatch { get; init; }
}

public sealed record GetOptions
{
    /// <summary>bytes=First-Last; Last null means to the end.</summary>
    public (long First, long? Last)? Range { get; init; }

    public string? IfMatch { get; init; }

    public string? IfNoneMatch { get; init; }

    public int? PartNumber { get; init; }
}

public sealed record CopyOptions
{
    public string? SourceIfMatch { get; init; }

    /// <summary>Null copies the source's metadata (COPY); otherwise it replaces it (REPLACE), empty included.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? ReplaceMetadata { get; init; }

    /// <summary>Taken only with <see cref="ReplaceMetadata"/>.</summary>
    public string? ContentType { get; init; }
}

public sealed record CompleteOptions
{
    public string? IfMatch { get; init; }

    public string? IfNoneMatch { get; init; }
}
