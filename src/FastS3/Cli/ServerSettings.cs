using FastS3.Api;
using FastS3.Http;
using FastS3.Storage.Disk;

namespace FastS3.Cli;

/// <summary>What a <c>fasts3 server</c> command line asks for: everything <see cref="ServerHost"/> needs to start one.</summary>
internal sealed record ServerSettings(
    string DataDir,
    string Address,
    string CertsDir,
    bool NoTls,
    DiskStoreOptions Store,
    string[] Domains,
    S3Options S3,
    HttpLimits Limits,
    TimeSpan DrainDelay,
    bool PublicMetrics,
    string? AccessLog = null,
    ServiceManager? ServiceManager = null,
    KmsKeySource? Kms = null,
    int KmsRewrapRate = 0);
