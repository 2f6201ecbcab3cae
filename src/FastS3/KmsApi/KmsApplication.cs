using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using FastS3.Auth;
using FastS3.Http;
using FastS3.Kms;

namespace FastS3.KmsApi;

/// <summary>
/// The AWS KMS API for the built-in KMS's keys, at the S3 endpoint, so <c>aws kms</c> manages them
/// unchanged: AWS JSON 1.1 (<c>POST /</c>, <c>X-Amz-Target: TrentService.Operation</c>, a JSON
/// body), SigV4 with service <c>kms</c>, root only (the one credential there is). Every answer has
/// an x-amzn-RequestId; every fault is an AWS JSON error.
/// </summary>
public sealed class KmsApplication : IHttpApplication
{
    /// <summary>Far above any request of the operations served (a key policy is at most 32 KiB).</summary>
    public const int MaxBodyLength = 64 * 1024;

    private const int MaxOperationLength = 64;

    private readonly SigV4Verifier _verifier;
    private readonly KeyOperations _keys;
    private readonly AliasOperations _aliases;
    private readonly RotationOperations _rotation;
    private readonly IServerLog _log;

    public KmsApplication(BuiltInKms kms, AccessKeys keys, TimeProvider clock, IServerLog log)
    {
        _verifier = new SigV4Verifier(keys, clock, kms.Region, "kms");
        _keys = new KeyOperations(kms);
        _aliases = new AliasOperations(kms);
        _rotation = new RotationOperations(kms, clock);
        _log = log;
    }

    private static ReadOnlySpan<byte> TargetPrefix => "TrentService."u8;

    /// <summary>Whether <paramref name="request"/> is a KMS call: a POST to / naming a TrentService operation.</summary>
    public static bool Accepts(HttpRequest request)
        => request.Method == HttpMethod.Post && request.Path.SequenceEqual("/"u8)
            && request.Headers.TryGetValue("x-amz-target"u8, out ReadOnlySpan<byte> target) && target.StartsWith(TargetPrefix);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
    {
        response.Headers.Add("x-amzn-RequestId"u8, Guid.NewGuid().ToString("D"));

        // Read whole before anything else: the signature covers its hash. Beyond the bound the
        // transport answers 413 (through WriteTransportError).
        var body = new ArrayBufferWriter<byte>();
        await request.Body.ReadToEndAsync(body, MaxBodyLength);
        var answer = new ArrayBufferWriter<byte>();
        KmsError? error;
        try
        {
            error = Process(request, body.WrittenSpan, answer);
        }
        catch (Exception ex)
        {
            // The key ring could not be stored (a full disk, a store that kept changing): nothing changed.
            _log.Warning($"kms: {Operation(request)} failed: {ex.Message}");
            error = KmsErrors.Internal;
        }

        if (error is null)
        {
            KmsJson.Send(response, 200, answer.WrittenSpan);
        }
        else
        {
            KmsJson.SendError(response, error);
        }
    }

    public void WriteTransportError(HttpRequest request, HttpResponse response, RequestRejectionReason? reason)
        => KmsJson.SendError(response, KmsErrors.ForTransport(reason, response.StatusCode));

    private KmsError? Process(HttpRequest request, ReadOnlySpan<byte> body, ArrayBufferWriter<byte> answer)
    {
        if (_verifier.VerifyWithBody(request, body, new SignatureContext()) is { } authError)
        {
            return KmsErrors.ForSignature(authError);
        }

        (KmsError? invalid, KmsRequest parsed) = KmsRequest.Parse(body);
        if (invalid is not null)
        {
            return invalid;
        }

        using var json = new Utf8JsonWriter(answer);
        json.WriteStartObject();
        KmsError? error = Dispatch(Operation(request), parsed, json);
        json.WriteEndObject();
        return error;
    }

    private KmsError? Dispatch(string operation, KmsRequest request, Utf8JsonWriter json) => operation switch
    {
        "CreateKey" => _keys.Create(request, json),
        "DescribeKey" => _keys.Describe(request, json),
        "ListKeys" => _keys.List(request, json),
        "EnableKey" => _keys.SetEnabled(request, enabled: true),
        "DisableKey" => _keys.SetEnabled(request, enabled: false),
        "CreateAlias" => _aliases.Set(request, create: true),
        "UpdateAlias" => _aliases.Set(request, create: false),
        "DeleteAlias" => _aliases.Delete(request),
        "ListAliases" => _aliases.List(request, json),
        "EnableKeyRotation" => _rotation.SetRotation(request, enabled: true),
        "DisableKeyRotation" => _rotation.SetRotation(request, enabled: false),
        "GetKeyRotationStatus" => _rotation.Status(request, json),
        "RotateKeyOnDemand" => _rotation.RotateOnDemand(request, json),
        "ListKeyRotations" => _rotation.List(request, json),
        _ => KmsErrors.UnknownOperation(operation),
    };

    /// <summary>The operation X-Amz-Target names, printable and bounded (it may be quoted back).</summary>
    private static string Operation(HttpRequest request)
    {
        request.Headers.TryGetValue("x-amz-target"u8, out ReadOnlySpan<byte> target);
        ReadOnlySpan<byte> name = target[Math.Min(TargetPrefix.Length, target.Length)..];
        name = name[..Math.Min(name.Length, MaxOperationLength)];
        return name.ContainsAnyExceptInRange((byte)'A', (byte)'z') ? "(unreadable)" : Encoding.ASCII.GetString(name);
    }
}
