namespace FastS3.Perf;

/// <summary>The command line shared by the two hello servers (FastS3.Http.Hello and KestrelHello).</summary>
internal static class HelloArgs
{
    public static (int HttpPort, int HttpsPort, string Cert, string Key) Parse(string[] args)
    {
        int? http = null;
        int? https = null;
        string? cert = null;
        string? key = null;
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw Usage($"missing value after {args[i]}");
            switch (args[i])
            {
                case "--http": http = int.Parse(value); break;
                case "--https": https = int.Parse(value); break;
                case "--cert": cert = value; break;
                case "--key": key = value; break;
                default: throw Usage($"unknown argument {args[i]}");
            }

            i++;
        }

        return (http ?? throw Usage("--http is required"), https ?? throw Usage("--https is required"),
            cert ?? throw Usage("--cert is required"), key ?? throw Usage("--key is required"));
    }

    private static ArgumentException Usage(string message)
        => new($"{message}. Usage: --http PORT --https PORT --cert CERT.pem --key KEY.pem");
}
