using FastS3.Http;
using FastS3.Kms;

namespace FastS3.Cli;

/// <summary>
/// Where the KMS master key comes from: FASTS3_KMS_SECRET_KEY (NAME:BASE64, as MinIO's
/// MINIO_KMS_SECRET_KEY), else the key file (--kms-key-file, by default beside the certificates,
/// outside DATA_DIR so a copy of the data is not a copy of its key), else a new key written to that
/// file on first start. FASTS3_KMS_PREVIOUS_SECRET_KEY, given beside a new key, lets the server open
/// a key ring sealed under the old one and seal it again under the new.
/// </summary>
internal sealed record KmsKeySource(string? Secret, string? PreviousSecret, string KeyFile)
{
    public const string Variable = "FASTS3_KMS_SECRET_KEY";
    public const string PreviousVariable = "FASTS3_KMS_PREVIOUS_SECRET_KEY";
    public const string FileName = "kms-master.key";
    public const string GeneratedName = "fasts3-master";

    public static KmsKeySource From(Func<string, string?> environment, string? keyFile, string certsDir)
        => new(NullIfEmpty(environment(Variable)), NullIfEmpty(environment(PreviousVariable)), keyFile ?? Path.Combine(certsDir, FileName));

    /// <summary>The master key (and the previous one, while rotating); a <see cref="FormatException"/> for a malformed one.</summary>
    public (MasterKey Current, MasterKey? Previous) Load(IServerLog log)
    {
        MasterKey? previous = PreviousSecret is null ? null : MasterKey.Parse(PreviousSecret);
        if (Secret is not null)
        {
            return (MasterKey.Parse(Secret), previous);
        }

        if (File.Exists(KeyFile))
        {
            return (MasterKey.Parse(File.ReadAllText(KeyFile)), previous);
        }

        MasterKey generated = MasterKey.Generate(GeneratedName);
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        using (var file = new FileStream(KeyFile, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(file))
        {
            writer.WriteLine(generated.Export());
        }

        log.Warning($"no KMS master key given ({Variable}): generated one in {KeyFile} (mode 0600). BACK IT UP, apart from the data: " +
            "without it every SSE-S3 and SSE-KMS object is lost for good.");
        return (generated, previous);
    }

    // Never print the keys.
    public override string ToString() => $"KmsKeySource {{ KeyFile = {KeyFile} }}";

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
