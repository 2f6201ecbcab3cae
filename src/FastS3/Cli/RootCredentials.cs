using FastS3.Http;

namespace FastS3.Cli;

/// <summary>
/// The root access key pair, from FASTS3_ROOT_USER / FASTS3_ROOT_PASSWORD. Without them the
/// documented development pair is used, with a warning, since anyone who reads the README knows it.
/// </summary>
internal sealed record RootCredentials(string AccessKey, string SecretKey)
{
    public const string DevelopmentAccessKey = "fasts3admin";
    public const string DevelopmentSecretKey = "fasts3admin-secret-change-me";

    public static RootCredentials FromEnvironment(IServerLog log)
    {
        string? user = Environment.GetEnvironmentVariable("FASTS3_ROOT_USER");
        string? password = Environment.GetEnvironmentVariable("FASTS3_ROOT_PASSWORD");
        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password))
        {
            log.Warning($"FASTS3_ROOT_USER/FASTS3_ROOT_PASSWORD not set: using the PUBLIC development credentials " +
                $"{DevelopmentAccessKey} / {DevelopmentSecretKey}. Never expose this server like this.");
            return new RootCredentials(DevelopmentAccessKey, DevelopmentSecretKey);
        }

        if (user.Length < 3 || password.Length < 8)
        {
            throw new FormatException("FASTS3_ROOT_USER needs at least 3 characters and FASTS3_ROOT_PASSWORD at least 8.");
        }

        return new RootCredentials(user, password);
    }

    // Never print the secret.
    public override string ToString() => $"RootCredentials {{ AccessKey = {AccessKey} }}";
}
