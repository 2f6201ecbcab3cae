namespace FastS3.Testing;

/// <summary>Real aws-cli request bytes captured on loopback (see Fixtures/README.md).</summary>
public static class Fixtures
{
    public static readonly string[] Names =
    [
        "awscli-put-object-https.bin",
        "awscli-put-object-http.bin",
        "awscli-get-object-https.bin",
        "awscli-list-objects-v2-https.bin",
        "awscli-create-bucket-https.bin",
    ];

    public static byte[] Load(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    /// <summary>The 3000-byte body every PUT fixture carries.</summary>
    public static byte[] DiaryBody()
    {
        var text = new System.Text.StringBuilder();
        for (int line = 1; line <= 130; line++)
        {
            text.Append($"line {line:D4} of the diary\n");
        }

        text.Append("line 0131\n");
        return System.Text.Encoding.ASCII.GetBytes(text.ToString());
    }
}
