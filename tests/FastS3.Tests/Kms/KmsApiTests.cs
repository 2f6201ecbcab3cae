using System.Text.Json;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests.Kms;

/// <summary>
/// The AWS KMS API at the S3 endpoint, driven by aws-cli's <c>aws kms</c> (and boto3's kms client)
/// as a user would: keys, aliases, enabling, rotation, the errors AWS gives, what SSE-KMS objects
/// do when their key is disabled or rotated, and the key ring kept across a restart.
/// </summary>
public sealed class KmsApiTests : IAsyncLifetime
{
    private const string Bucket = "kms-api";

    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("fasts3-kms-api-");
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync();
        await AwsAsync(_server, "s3api", "create-bucket", "--bucket", Bucket);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _files.Delete(recursive: true);
    }

    [Fact]
    public async Task ACreatedKeyIsDescribedByEveryNameAndListed()
    {
        JsonElement made = (await KmsAsync("create-key", "--description", "for the walkthrough")).GetProperty("KeyMetadata");
        string id = made.GetProperty("KeyId").GetString()!;
        string arn = made.GetProperty("Arn").GetString()!;
        Assert.Equal($"arn:aws:kms:us-east-1:000000000000:key/{id}", arn);
        Assert.Equal("for the walkthrough", made.GetProperty("Description").GetString());
        Assert.Equal("Enabled", made.GetProperty("KeyState").GetString());
        Assert.Equal("CUSTOMER", made.GetProperty("KeyManager").GetString());
        Assert.Equal("SYMMETRIC_DEFAULT", made.GetProperty("KeySpec").GetString());
        Assert.Equal("ENCRYPT_DECRYPT", made.GetProperty("KeyUsage").GetString());

        await KmsAsync("create-alias", "--alias-name", "alias/walkthrough", "--target-key-id", id);
        foreach (string name in new[] { id, arn, "alias/walkthrough", "arn:aws:kms:us-east-1:000000000000:alias/walkthrough" })
        {
            JsonElement described = (await KmsAsync("describe-key", "--key-id", name)).GetProperty("KeyMetadata");
            Assert.Equal(id, described.GetProperty("KeyId").GetString());
            Assert.True(described.GetProperty("Enabled").GetBoolean());
        }

        Assert.Contains(id, await ListedKeyIdsAsync());
    }

    [Fact]
    public async Task AliasesAreCreatedListedUpdatedAndDeleted()
    {
        string first = await CreateKeyAsync();
        string second = await CreateKeyAsync();
        await KmsAsync("create-alias", "--alias-name", "alias/moving", "--target-key-id", first);
        Assert.Equal(first, await AliasTargetAsync("alias/moving"));
        Assert.Equal(["alias/moving"], AliasNames(await KmsAsync("list-aliases", "--key-id", first)));

        Assert.Contains("AlreadyExistsException", await KmsErrorAsync("create-alias", "--alias-name", "alias/moving", "--target-key-id", second));
        await KmsAsync("update-alias", "--alias-name", "alias/moving", "--target-key-id", second);
        Assert.Equal(second, await AliasTargetAsync("alias/moving"));
        Assert.Empty(AliasNames(await KmsAsync("list-aliases", "--key-id", first)));

        await KmsAsync("delete-alias", "--alias-name", "alias/moving");
        Assert.Null(await AliasTargetAsync("alias/moving"));
        Assert.Contains("NotFoundException", await KmsErrorAsync("delete-alias", "--alias-name", "alias/moving"));
        Assert.Contains("NotFoundException", await KmsErrorAsync("update-alias", "--alias-name", "alias/moving", "--target-key-id", first));
    }

    [Theory]
    [InlineData("alias/aws/mine", "NotAuthorizedException")]
    [InlineData("mine", "ValidationException")]
    [InlineData("alias/", "ValidationException")]
    [InlineData("alias/not:allowed", "ValidationException")]
    public async Task AliasNamesAreHeldToAwsRules(string alias, string error)
    {
        string key = await CreateKeyAsync();
        Assert.Contains(error, await KmsErrorAsync("create-alias", "--alias-name", alias, "--target-key-id", key));
        Assert.Contains("ValidationException", await KmsErrorAsync("create-alias", "--alias-name", "alias/" + new string('a', 250), "--target-key-id", key));
        Assert.Contains("ValidationException", await KmsErrorAsync("create-alias", "--alias-name", "alias/to-alias", "--target-key-id", "alias/aws/s3"));
    }

    [Fact]
    public async Task UnknownKeysAreNotFound()
    {
        string missing = Guid.NewGuid().ToString();
        Assert.Contains("NotFoundException", await KmsErrorAsync("describe-key", "--key-id", missing));
        Assert.Contains("NotFoundException", await KmsErrorAsync("describe-key", "--key-id", "alias/never-made"));
        Assert.Contains("NotFoundException", await KmsErrorAsync("describe-key", "--key-id", $"arn:aws:kms:eu-west-1:000000000000:key/{missing}"));
        Assert.Contains("NotFoundException", await KmsErrorAsync("enable-key", "--key-id", missing));
        Assert.Contains("NotFoundException", await KmsErrorAsync("create-alias", "--alias-name", "alias/orphan", "--target-key-id", missing));
    }

    [Fact]
    public async Task TheSseS3KeyIsNeverVisible()
    {
        await AwsAsync(_server, "s3api", "put-object", "--bucket", Bucket, "--key", "sse-s3", "--body", await BodyFileAsync("sse-s3"), "--server-side-encryption", "AES256");
        Assert.DoesNotContain("fasts3-sse-s3", await ListedKeyIdsAsync());
        foreach (string name in new[] { "fasts3-sse-s3", "arn:aws:kms:us-east-1:000000000000:key/fasts3-sse-s3" })
        {
            Assert.Contains("NotFoundException", await KmsErrorAsync("describe-key", "--key-id", name));
            Assert.Contains("NotFoundException", await KmsErrorAsync("disable-key", "--key-id", name));
            Assert.Contains("NotFoundException", await KmsErrorAsync("rotate-key-on-demand", "--key-id", name));
        }

        Assert.Contains("NotFoundException", await KmsErrorAsync("create-alias", "--alias-name", "alias/server", "--target-key-id", "fasts3-sse-s3"));
        Assert.Equal("sse-s3", await GetObjectAsync(_server, "sse-s3"));
    }

    [Fact]
    public async Task TheAwsManagedKeyIsListedButNotTheUsersToChange()
    {
        JsonElement aws = (await KmsAsync("describe-key", "--key-id", "alias/aws/s3")).GetProperty("KeyMetadata");
        Assert.Equal("AWS", aws.GetProperty("KeyManager").GetString());
        string id = aws.GetProperty("KeyId").GetString()!;
        Assert.Contains(id, await ListedKeyIdsAsync());
        Assert.Equal(id, await AliasTargetAsync("alias/aws/s3"));
        Assert.Contains("AccessDeniedException", await KmsErrorAsync("disable-key", "--key-id", id));
        Assert.Contains("AccessDeniedException", await KmsErrorAsync("rotate-key-on-demand", "--key-id", id));
        Assert.Contains("AccessDeniedException", await KmsErrorAsync("create-alias", "--alias-name", "alias/mine-too", "--target-key-id", id));
        Assert.Contains("NotAuthorizedException", await KmsErrorAsync("delete-alias", "--alias-name", "alias/aws/s3"));
        JsonElement rotation = await KmsAsync("get-key-rotation-status", "--key-id", id);
        Assert.True(rotation.GetProperty("KeyRotationEnabled").GetBoolean());
        Assert.Equal(365, rotation.GetProperty("RotationPeriodInDays").GetInt32());
        Assert.Contains("AccessDeniedException", await KmsErrorAsync("disable-key-rotation", "--key-id", id));
    }

    [Theory]
    [InlineData("--key-spec", "RSA_2048", "UnsupportedOperationException")]
    [InlineData("--key-usage", "SIGN_VERIFY", "UnsupportedOperationException")]
    [InlineData("--multi-region", null, "UnsupportedOperationException")]
    [InlineData("--origin", "EXTERNAL", "UnsupportedOperationException")]
    [InlineData("--key-spec", "NO_SUCH_SPEC", "ValidationException")]
    public async Task OnlySymmetricEncryptionKeysAreMade(string option, string? value, string error)
    {
        int before = (await ListedKeyIdsAsync()).Count;
        Assert.Contains(error, await KmsErrorAsync(["create-key", option, .. value is null ? Array.Empty<string>() : [value]]));
        Assert.Equal(before, (await ListedKeyIdsAsync()).Count);
    }

    [Fact]
    public async Task ListKeysPagesWithLimitAndMarker()
    {
        for (int i = 0; i < 3; i++)
        {
            await CreateKeyAsync();
        }

        var seen = new List<string>();
        string? marker = null;
        do
        {
            JsonElement page = await KmsAsync(["list-keys", "--no-paginate", "--limit", "2", .. marker is null ? Array.Empty<string>() : ["--marker", marker]]);
            seen.AddRange(page.GetProperty("Keys").EnumerateArray().Select(key => key.GetProperty("KeyId").GetString()!));
            Assert.True(page.GetProperty("Keys").GetArrayLength() <= 2);
            marker = page.GetProperty("Truncated").GetBoolean() ? page.GetProperty("NextMarker").GetString() : null;
        }
        while (marker is not null);

        Assert.Equal(await ListedKeyIdsAsync(), seen);
        Assert.Contains("InvalidMarkerException", await KmsErrorAsync("list-keys", "--no-paginate", "--marker", "no-such-marker"));
        Assert.Contains("ValidationException", await KmsErrorAsync("list-keys", "--no-paginate", "--limit", "1001"));
    }

    [Fact]
    public async Task ADisabledKeyRefusesWritesAndReadsUntilEnabled()
    {
        string key = await CreateKeyAsync();
        await PutUnderKeyAsync(_server, "before-disable", key);

        await KmsAsync("disable-key", "--key-id", key);
        Assert.Equal("Disabled", (await KmsAsync("describe-key", "--key-id", key)).GetProperty("KeyMetadata").GetProperty("KeyState").GetString());
        var (exit, _, stderr) = await AwsCli.RunWarmAsync(_server.BaseUrl, "s3api", "put-object", "--bucket", Bucket, "--key", "while-disabled",
            "--body", await BodyFileAsync("x"), "--server-side-encryption", "aws:kms", "--ssekms-key-id", key);
        Assert.NotEqual(0, exit);
        Assert.Contains("KMS.DisabledException", stderr);
        (exit, _, stderr) = await AwsCli.RunWarmAsync(_server.BaseUrl, "s3api", "get-object", "--bucket", Bucket, "--key", "before-disable", Path.Combine(_files.FullName, "refused"));
        Assert.NotEqual(0, exit);
        Assert.Contains("KMS.DisabledException", stderr);
        Assert.Contains("DisabledException", await KmsErrorAsync("enable-key-rotation", "--key-id", key));
        Assert.Contains("DisabledException", await KmsErrorAsync("rotate-key-on-demand", "--key-id", key));

        await KmsAsync("enable-key", "--key-id", key);
        Assert.Equal("before-disable", await GetObjectAsync(_server, "before-disable"));
        await PutUnderKeyAsync(_server, "after-enable", key);
        Assert.Equal("after-enable", await GetObjectAsync(_server, "after-enable"));
    }

    [Fact]
    public async Task RotationIsEnabledWithAPeriodAndReportedWithItsNextDate()
    {
        string key = await CreateKeyAsync();
        JsonElement off = await KmsAsync("get-key-rotation-status", "--key-id", key);
        Assert.False(off.GetProperty("KeyRotationEnabled").GetBoolean());
        Assert.False(off.TryGetProperty("NextRotationDate", out _));

        DateTimeOffset before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await KmsAsync("enable-key-rotation", "--key-id", key, "--rotation-period-in-days", "90");
        DateTimeOffset after = DateTimeOffset.UtcNow.AddSeconds(1);
        JsonElement status = await KmsAsync("get-key-rotation-status", "--key-id", key);
        Assert.True(status.GetProperty("KeyRotationEnabled").GetBoolean());
        Assert.Equal(90, status.GetProperty("RotationPeriodInDays").GetInt32());
        DateTimeOffset next = Time(status.GetProperty("NextRotationDate"));
        Assert.InRange(next, before.AddDays(90), after.AddDays(90));
        Assert.False(status.TryGetProperty("OnDemandRotationStartDate", out _));

        // Without a period: AWS's default, counted from the same date. Beyond AWS's range: refused
        // (below it aws-cli refuses by itself; KmsCallsMustBeSignedForKms sends 10).
        await KmsAsync("enable-key-rotation", "--key-id", key);
        status = await KmsAsync("get-key-rotation-status", "--key-id", key);
        Assert.Equal(365, status.GetProperty("RotationPeriodInDays").GetInt32());
        Assert.Equal(next.AddDays(275), Time(status.GetProperty("NextRotationDate")));
        Assert.Contains("ValidationException", await KmsErrorAsync("enable-key-rotation", "--key-id", key, "--rotation-period-in-days", "2561"));

        await KmsAsync("disable-key-rotation", "--key-id", key);
        Assert.False((await KmsAsync("get-key-rotation-status", "--key-id", key)).GetProperty("KeyRotationEnabled").GetBoolean());
    }

    [Fact]
    public async Task RotationOnDemandIsListedPagedAndLimitedAsOnAws()
    {
        string key = await CreateKeyAsync();
        await PutUnderKeyAsync(_server, "before-rotation", key);
        Assert.Empty((await KmsAsync("list-key-rotations", "--key-id", key)).GetProperty("Rotations").EnumerateArray());
        Assert.Equal(key, (await KmsAsync("rotate-key-on-demand", "--key-id", key)).GetProperty("KeyId").GetString());
        JsonElement rotation = Assert.Single((await KmsAsync("list-key-rotations", "--key-id", key)).GetProperty("Rotations").EnumerateArray());
        Assert.Equal("ON_DEMAND", rotation.GetProperty("RotationType").GetString());
        Assert.EndsWith(key, rotation.GetProperty("KeyId").GetString());
        Assert.InRange(Time(rotation.GetProperty("RotationDate")), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));

        await PutUnderKeyAsync(_server, "after-rotation", key);
        Assert.Equal("before-rotation", await GetObjectAsync(_server, "before-rotation"));
        Assert.Equal("after-rotation", await GetObjectAsync(_server, "after-rotation"));

        for (int i = 1; i < 25; i++)
        {
            await KmsAsync("rotate-key-on-demand", "--key-id", key);
        }

        Assert.Contains("LimitExceededException", await KmsErrorAsync("rotate-key-on-demand", "--key-id", key));
        int listed = 0;
        string? marker = null;
        do
        {
            JsonElement page = await KmsAsync(["list-key-rotations", "--key-id", key, "--no-paginate", "--limit", "10", .. marker is null ? Array.Empty<string>() : ["--marker", marker]]);
            listed += page.GetProperty("Rotations").GetArrayLength();
            marker = page.GetProperty("Truncated").GetBoolean() ? page.GetProperty("NextMarker").GetString() : null;
        }
        while (marker is not null);

        Assert.Equal(25, listed);
    }

    /// <summary>
    /// A key whose period has passed while no server ran is rotated by the next one at start-up: the
    /// date comes from the ring. The rotator's clock is 91 days on; requests are signed for today.
    /// </summary>
    [Fact]
    public async Task ADueKeyIsRotatedByTheServerAndItsObjectsMoveToTheNewVersion()
    {
        string dataDir;
        string certs;
        string key;
        await using (InProcessServer first = await InProcessServer.StartAsync(onDisk: true))
        {
            await AwsAsync(first, "s3api", "create-bucket", "--bucket", Bucket);
            key = (await KmsOnAsync(first, "create-key")).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
            await KmsOnAsync(first, "enable-key-rotation", "--key-id", key, "--rotation-period-in-days", "90");
            await PutUnderKeyAsync(first, "version-1", key);
            Assert.Empty((await KmsOnAsync(first, "list-key-rotations", "--key-id", key)).GetProperty("Rotations").EnumerateArray());
            dataDir = first.DataDir;
            certs = first.CertsDir;
            first.KeepDataDir = true;
        }

        DateTimeOffset later = DateTimeOffset.UtcNow.AddDays(91);
        await using InProcessServer second = await InProcessServer.StartAsync(certsDir: certs, dataDir: dataDir, rotationClock: new FixedClock(later));
        await WaitForLogAsync(second, $"kms: key {key} rotated automatically");
        JsonElement rotation = Assert.Single((await KmsOnAsync(second, "list-key-rotations", "--key-id", key)).GetProperty("Rotations").EnumerateArray());
        Assert.Equal("AUTOMATIC", rotation.GetProperty("RotationType").GetString());
        Assert.Equal(later.ToUnixTimeSeconds(), Time(rotation.GetProperty("RotationDate")).ToUnixTimeSeconds());
        JsonElement status = await KmsOnAsync(second, "get-key-rotation-status", "--key-id", key);
        Assert.Equal(later.AddDays(90).ToUnixTimeSeconds(), Time(status.GetProperty("NextRotationDate")).ToUnixTimeSeconds());

        await WaitForLogAsync(second, "kms re-wrap: done");
        Assert.Contains("records looked at, 1 moved to the newest key versions", second.Log);
        Assert.Equal("version-1", await GetObjectAsync(second, "version-1"));
    }

    [Fact]
    public async Task KeysAliasesStatesAndVersionsSurviveARestart()
    {
        // The test servers keep the KMS master key file beside DATA_DIR: kept with it, for the second.
        string dataDir;
        string certs;
        string key;
        string disabled;
        await using (InProcessServer first = await InProcessServer.StartAsync(onDisk: true))
        {
            await AwsAsync(first, "s3api", "create-bucket", "--bucket", Bucket);
            key = (await KmsOnAsync(first, "create-key", "--description", "kept")).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
            disabled = (await KmsOnAsync(first, "create-key")).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
            await KmsOnAsync(first, "create-alias", "--alias-name", "alias/kept", "--target-key-id", key);
            await KmsOnAsync(first, "enable-key-rotation", "--key-id", key);
            await PutUnderKeyAsync(first, "version-1", "alias/kept");
            await KmsOnAsync(first, "rotate-key-on-demand", "--key-id", key);
            await PutUnderKeyAsync(first, "version-2", "alias/kept");
            await KmsOnAsync(first, "disable-key", "--key-id", disabled);
            dataDir = first.DataDir;
            certs = first.CertsDir;
            first.KeepDataDir = true;
        }

        await using InProcessServer second = await InProcessServer.StartAsync(certsDir: certs, dataDir: dataDir);
        JsonElement kept = (await KmsOnAsync(second, "describe-key", "--key-id", "alias/kept")).GetProperty("KeyMetadata");
        Assert.Equal(key, kept.GetProperty("KeyId").GetString());
        Assert.Equal("kept", kept.GetProperty("Description").GetString());
        Assert.True((await KmsOnAsync(second, "get-key-rotation-status", "--key-id", key)).GetProperty("KeyRotationEnabled").GetBoolean());
        Assert.Single((await KmsOnAsync(second, "list-key-rotations", "--key-id", key)).GetProperty("Rotations").EnumerateArray());
        Assert.Equal("Disabled", (await KmsOnAsync(second, "describe-key", "--key-id", disabled)).GetProperty("KeyMetadata").GetProperty("KeyState").GetString());
        Assert.Equal("version-1", await GetObjectAsync(second, "version-1"));
        Assert.Equal("version-2", await GetObjectAsync(second, "version-2"));
    }

    /// <summary>The signature must be for service kms, S3's for s3; an unsigned or garbled call is the AWS JSON error.</summary>
    [Fact]
    public async Task KmsCallsMustBeSignedForKms()
    {
        string result = await Boto3.RunAsync(_server, """
            import hashlib, ssl, urllib.request, urllib.error
            from botocore.auth import SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials

            def send(service, method, url, body, headers, secret=sys.argv[3]):
                request = AWSRequest(method=method, url=url, data=body, headers=headers)
                if service:
                    SigV4Auth(Credentials(sys.argv[2], secret), service, "us-east-1").add_auth(request)
                raw = urllib.request.Request(url, data=body.encode() if body else None, headers=dict(request.headers), method=method)
                try:
                    response = urllib.request.urlopen(raw, context=ssl._create_unverified_context())
                except urllib.error.HTTPError as e:
                    response = e
                answer = response.read().decode()
                if response.status == 200:
                    kind = "-"
                elif response.headers.get("Content-Type") == "application/x-amz-json-1.1":
                    kind = json.loads(answer)["__type"]
                else:
                    kind = answer.split("<Code>")[1].split("</Code>")[0]
                return f'{response.status} {response.headers.get("x-amzn-ErrorType") or "-"} {kind}'

            kms = {"X-Amz-Target": "TrentService.ListKeys", "Content-Type": "application/x-amz-json-1.1"}
            root = sys.argv[1] + "/"
            print(send("kms", "POST", root, "{}", kms))
            print(send("s3", "POST", root, "{}", kms))
            print(send(None, "POST", root, "{}", kms))
            print(send("kms", "POST", root, "{}", kms, secret="wrong"))
            print(send("kms", "POST", root, "not json", kms))
            print(send("kms", "POST", root, '{"Limit": "2"}', kms))
            print(send("kms", "POST", root, "{}", {**kms, "X-Amz-Target": "TrentService.Encrypt"}))
            print(send("kms", "POST", root, '{"KeyId": "k", "RotationPeriodInDays": 10}', {**kms, "X-Amz-Target": "TrentService.EnableKeyRotation"}))
            print(send("kms", "POST", root, '{"Description": "' + "x" * 70000 + '"}', kms))
            print(send("kms", "GET", root, "", {"x-amz-content-sha256": hashlib.sha256(b"").hexdigest()}))

            client = boto3.client("kms", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], region_name="us-east-1", verify=False)
            made = client.create_key(Description="from boto3")["KeyMetadata"]
            described = client.describe_key(KeyId=made["Arn"])["KeyMetadata"]
            print(described["KeyId"] == made["KeyId"], described["Description"], described["CreationDate"].year > 2000)
            """);
        Assert.Equal([
            "200 - -",
            "400 InvalidSignatureException InvalidSignatureException",
            "400 MissingAuthenticationTokenException MissingAuthenticationTokenException",
            "400 InvalidSignatureException InvalidSignatureException",
            "400 SerializationException SerializationException",
            "400 SerializationException SerializationException",
            "400 UnknownOperationException UnknownOperationException",
            "400 ValidationException ValidationException",
            "413 ValidationException ValidationException",
            "400 - AuthorizationHeaderMalformed",
            "True from boto3 True",
        ], result.TrimEnd().Split('\n'));
    }

    private Task<JsonElement> KmsAsync(params string[] arguments) => KmsOnAsync(_server, arguments);

    /// <summary>A date as aws-cli prints it here: seconds since the epoch.</summary>
    private static DateTimeOffset Time(JsonElement seconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds.GetDouble() * 1000));

    private static async Task WaitForLogAsync(TestServer server, string line)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); !server.Log.Contains(line, StringComparison.Ordinal); await Task.Delay(50))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"no \"{line}\" in the log:\n{server.Log}");
        }
    }

    private static async Task<JsonElement> KmsOnAsync(TestServer server, params string[] arguments)
    {
        string stdout = await AwsAsync(server, ["kms", .. arguments]);
        return stdout.Trim().Length == 0 ? default : JsonDocument.Parse(stdout).RootElement.Clone();
    }

    /// <summary>The aws kms command's stderr, which names the error; it must fail.</summary>
    private async Task<string> KmsErrorAsync(params string[] arguments)
    {
        var (exit, _, stderr) = await AwsCli.RunWarmAsync(_server.BaseUrl, ["kms", .. arguments]);
        Assert.NotEqual(0, exit);
        return stderr;
    }

    private static async Task<string> AwsAsync(TestServer server, params string[] arguments)
    {
        var (exit, stdout, stderr) = await AwsCli.RunWarmAsync(server.BaseUrl, arguments);
        Assert.True(exit == 0, $"aws {string.Join(' ', arguments)}: {stderr}");
        return stdout;
    }

    private async Task<string> CreateKeyAsync()
        => (await KmsAsync("create-key")).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;

    private async Task<List<string>> ListedKeyIdsAsync()
        => [.. (await KmsAsync("list-keys")).GetProperty("Keys").EnumerateArray().Select(key => key.GetProperty("KeyId").GetString()!)];

    private async Task<string?> AliasTargetAsync(string alias)
        => (await KmsAsync("list-aliases")).GetProperty("Aliases").EnumerateArray()
            .Where(entry => entry.GetProperty("AliasName").GetString() == alias).Select(entry => entry.GetProperty("TargetKeyId").GetString()).FirstOrDefault();

    private static string[] AliasNames(JsonElement listed)
        => [.. listed.GetProperty("Aliases").EnumerateArray().Select(entry => entry.GetProperty("AliasName").GetString()!)];

    /// <summary>Writes an object whose content is its own key, under SSE-KMS with <paramref name="kmsKey"/>.</summary>
    private async Task PutUnderKeyAsync(TestServer server, string key, string kmsKey)
        => await AwsAsync(server, "s3api", "put-object", "--bucket", Bucket, "--key", key, "--body", await BodyFileAsync(key), "--server-side-encryption", "aws:kms", "--ssekms-key-id", kmsKey);

    private async Task<string> GetObjectAsync(TestServer server, string key)
    {
        string file = Path.Combine(_files.FullName, Guid.NewGuid().ToString());
        await AwsAsync(server, "s3api", "get-object", "--bucket", Bucket, "--key", key, file);
        return await File.ReadAllTextAsync(file);
    }

    private async Task<string> BodyFileAsync(string content)
    {
        string file = Path.Combine(_files.FullName, Guid.NewGuid().ToString());
        await File.WriteAllTextAsync(file, content);
        return file;
    }
}
