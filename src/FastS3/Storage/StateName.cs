namespace FastS3.Storage;

/// <summary>
/// Names of server state items (<see cref="Store.ReadState"/>): 1–64 of [a-z0-9-], so a backend can
/// make a file or object name of one without escaping, and nothing else ever becomes one.
/// </summary>
public static class StateName
{
    public const int MaxLength = 64;

    public static bool IsValid(string name)
        => name.Length is > 0 and <= MaxLength && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    /// <summary>The name, or an exception: a backend's last wall before the name becomes a path or a request.</summary>
    public static string Check(string name)
        => IsValid(name) ? name : throw new ArgumentException("not a valid state item name", nameof(name));
}
