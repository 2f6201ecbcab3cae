using System.CommandLine;
using FastS3.Auth;

namespace FastS3.Cli;

/// <summary>
/// <c>fasts3 admin prometheus-config [URL]</c>: a Prometheus scrape configuration for the server at
/// URL, with a bearer token for the root key (FASTS3_ROOT_USER / FASTS3_ROOT_PASSWORD, as the server
/// reads them), as <c>mc admin prometheus generate</c> prints one for MinIO.
/// </summary>
internal static class AdminCommand
{
    /// <summary>As MinIO's: the token lives as long as the key it is signed with.</summary>
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromDays(100 * 365);

    public static Command Create()
    {
        var url = new Argument<string>("URL")
        {
            Description = "The server's address, as clients reach it.",
            DefaultValueFactory = _ => "https://localhost:9000",
        };
        var job = new Option<string>("--job") { Description = "The scrape job's name.", DefaultValueFactory = _ => "fasts3" };
        var prometheusConfig = new Command("prometheus-config", "Print a Prometheus scrape configuration with a bearer token for this server's metrics.") { url, job };
        prometheusConfig.SetAction(result =>
        {
            if (!Uri.TryCreate(result.GetValue(url), UriKind.Absolute, out Uri? server) || server.Scheme is not ("http" or "https"))
            {
                Console.Error.WriteLine("URL must be http:// or https://");
                return 2;
            }

            RootCredentials credentials;
            try
            {
                credentials = RootCredentials.FromEnvironment(new ConsoleLog());
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 2;
            }

            Console.Write(ScrapeConfig(result.GetValue(job)!, server, PrometheusToken.Create(credentials.AccessKey, credentials.SecretKey, DateTimeOffset.UtcNow + TokenLifetime)));
            return 0;
        });

        return new Command("admin", "Administration helpers.") { prometheusConfig };
    }

    public static string ScrapeConfig(string job, Uri server, string token) => $"""
        scrape_configs:
          - job_name: {job}
            metrics_path: /minio/v2/metrics/cluster
            scheme: {server.Scheme}
            authorization:
              type: Bearer
              credentials: {token}
            static_configs:
              - targets: ['{server.Authority}']

        """;
}
