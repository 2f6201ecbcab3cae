using System.CommandLine;
using FastS3.Load.Client;
using FastS3.Load.Scenarios;
using FastS3.Load.Signing;

namespace FastS3.Load.Cli;

/// <summary>
/// <c>presign --target NAME=URL,KEY,SECRET --key K [--put SIZE]</c>: print a presigned URL for wrk, h2load or curl,
/// after optionally uploading an object of SIZE there, so an external tool can GET exactly what this one does.
/// </summary>
internal static class PresignCommand
{
    public static Command Create()
    {
        var target = new Option<string>("--target") { Description = "NAME=URL[,ACCESS_KEY,SECRET] (loopback only).", Required = true };
        var bucket = new Option<string>("--bucket") { Description = "Bucket.", DefaultValueFactory = _ => "fasts3-load" };
        var key = new Option<string>("--key") { Description = "Object key.", DefaultValueFactory = _ => "fasts3-load/presigned" };
        var method = new Option<string>("--method") { Description = "GET, HEAD or PUT.", DefaultValueFactory = _ => "GET" };
        var expires = new Option<int>("--expires") { Description = "Validity in seconds (at most 604800).", DefaultValueFactory = _ => 3600 };
        var put = new Option<string?>("--put") { Description = "First upload an object of this size (e.g. 4KiB) to the key." };
        var createBucket = new Option<bool>("--create-bucket") { Description = "Create the bucket first." };
        var insecure = new Option<bool>("--insecure") { Description = "Accept any TLS certificate." };
        var region = new Option<string>("--region") { Description = "SigV4 signing region.", DefaultValueFactory = _ => "us-east-1" };

        var command = new Command("presign", "Print a presigned URL (for wrk/h2load/curl), optionally uploading the object first.")
        {
            target, bucket, key, method, expires, put, createBucket, insecure, region,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            Target parsed;
            long? size;
            try
            {
                parsed = Target.Parse(result.GetValue(target)!);
                size = result.GetValue(put) is { } text ? ByteSize.Parse(text) : null;
                if (parsed.IsStatic || result.GetValue(expires) is < 1 or > 604_800 || result.GetValue(method) is not ("GET" or "HEAD" or "PUT"))
                {
                    throw new FormatException("need an S3 target, --expires within 1..604800 and --method GET, HEAD or PUT");
                }
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 2;
            }

            using TargetSession session = TargetSession.Open(parsed, 1, result.GetValue(insecure), result.GetValue(region)!);
            string bucketName = result.GetValue(bucket)!;
            string keyName = result.GetValue(key)!;
            if (result.GetValue(createBucket))
            {
                await session.CreateBucketAsync(bucketName, cancellationToken);
            }

            if (size is { } bytes)
            {
                RequestFactory upload = RequestFactory.S3(parsed, session.Key, AuthMode.Header, HttpMethod.Put, bucketName, [keyName], [], bytes, [], TimeSpan.FromHours(1));
                using HttpRequestMessage request = upload.Create(0);
                using HttpResponseMessage response = await session.Client.SendAsync(request, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    Console.Error.WriteLine($"error: PUT answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                    return 1;
                }
            }

            Console.WriteLine(Presigner.Presign(session.Key, result.GetValue(method)!, parsed.Url, $"/{bucketName}/{UriEncoding.Path(keyName)}", [], [],
                DateTime.UtcNow, TimeSpan.FromSeconds(result.GetValue(expires))).OriginalString);
            return 0;
        });
        return command;
    }
}
