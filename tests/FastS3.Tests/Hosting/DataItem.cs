namespace FastS3.Tests.Hosting;

/// <summary>A stored data item (see <see cref="StoredData"/>): its name in its bucket, and when its bytes were last written, so a rewrite in place shows.</summary>
public sealed record DataItem(string Name, DateTime Written);
