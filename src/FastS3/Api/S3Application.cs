using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Http;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// The S3 front door: gives every response an x-amz-request-id, routes, authenticates, and hands the
/// request to its operation family. Handlers report S3 errors by returning or throwing them; this
/// class turns them into error documents.
/// </summary>
public sealed class S3Application : IHttpApplication
{
    private readonly SigV4Verifier _verifier;
    private readonly Buckets _buckets;
    private readonly Acl _acl;
    private readonly ObjectAttributes _attributes;
    private readonly Tagging _tagging;
    private readonly BucketEncryption _encryption;
    private readonly Put _put;
    private readonly Get _get;
    private readonly Delete _delete;
    private readonly Listing _list;
    private readonly DeleteObjects _deleteObjects;
    private readonly Copy _copy;
    private readonly Multipart _multipart;
    private readonly UploadPart _uploadPart;
    private readonly CompleteMultipartUpload _complete;
    private readonly IServerLog _log;
    private readonly VirtualHost _virtualHost;
    private readonly AccessLogQueue? _accessLog;
    private readonly Kms.BuiltInKms? _kms;
    private readonly S3Options _options;

    /// <summary>The access key requests are signed with, JSON-escaped once for the access log.</summary>
    private readonly byte[] _requester;

    public S3Application(Store store, AccessKeys keys, TimeProvider clock, IServerLog log, VirtualHost virtualHost, S3Options? options = null, AccessLogQueue? accessLog = null, Kms.BuiltInKms? kms = null)
    {
        _accessLog = accessLog;
        _kms = kms;
        _requester = JsonEncodedText.Encode(keys.RootAccessKey, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray();
        options ??= new S3Options();
        _options = options;
        _virtualHost = virtualHost;
        _verifier = new SigV4Verifier(keys, clock, options.Region);
        _buckets = new Buckets(store, keys, options.Region);
        _acl = new Acl(store, _buckets);
        _attributes = new ObjectAttributes(store);
        _tagging = new Tagging(store);
        _encryption = new BucketEncryption(store, options);
        _put = new Put(store);
        _get = new Get(store);
        _delete = new Delete(store);
        _list = new Listing(store, _buckets);
        _deleteObjects = new DeleteObjects(store);
        _copy = new Copy(store, options);
        _multipart = new Multipart(store, _buckets);
        _uploadPart = new UploadPart(store, options);
        _complete = new CompleteMultipartUpload(store, options);
        _log = log;
    }

    /// <summary>What this application counts; read by the metrics exposition.</summary>
    public S3Metrics Metrics { get; } = new();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
    {
        long startedAt = Stopwatch.GetTimestamp();
        S3Call call = S3Call.For(request, response);
        call.Kms = _kms;
        call.Options = _options;
        response.Headers.Add("x-amz-request-id"u8, call.RequestIdBytes);
        call.SetRoute(S3Router.Route(request.Method, request.Path, request.Query, request.Headers.Contains("x-amz-copy-source"u8), _virtualHost.BucketLength(request.Host)));
        S3Operation operation = call.Route.Operation;
        Metrics.OnStarted(operation);
        try
        {
            // A customer key sent in clear is already compromised; refuse before anything else, and
            // before any body byte is asked for (no 100 Continue), as S3 and MinIO do.
            if (!request.IsTls && SseC.AnyPresent(request.Headers))
            {
                call.Fail(S3Errors.SseCOverHttp);
                return;
            }

            // A bucket name from the path or the Host is checked before it reaches anything else: what is
            // not a bucket name could be a path.
            if (call.Route.HasBucket && !BucketName.IsValid(call.BucketName))
            {
                call.Fail(S3Errors.InvalidBucketName);
                return;
            }

            if (_verifier.Verify(request, call.Signature) is { } authError)
            {
                Metrics.OnAuthFailed(authError);
                call.Fail(authError);
                return;
            }

            S3Error? error = await DispatchAsync(call);
            if (error is not null)
            {
                NoteDamage(call, error);
                call.Fail(error);
            }
        }
        catch (S3Exception ex) when (response.HasStarted && ex.Error == S3Errors.StoredDataDamaged)
        {
            // Found mid-body: the transport closes the connection on an IOException, so the client
            // sees a short body, never a wrong byte.
            NoteDamage(call, ex.Error);
            call.Escaped(ex);
            throw new IOException(ex.Error.Message, ex);
        }
        catch (Exception ex) when (!response.HasStarted && ExceptionErrors.Of(ex) is { } error)
        {
            if (error == S3Errors.InsufficientStorage)
            {
                _log.Warning($"storage full: {ex.Message}");
            }

            NoteDamage(call, error);
            call.Fail(error);
        }
        catch (Exception ex)
        {
            call.Escaped(ex);
            throw;
        }
        finally
        {
            Metrics.OnFinished(operation, call.Status, response, startedAt, call.HasCustomerKey || call.HasCopySourceKey);
            if (_accessLog is not null)
            {
                call.AccessLogLine.Write(_accessLog, call, _requester, startedAt);
            }

            call.ForgetKeys();
        }
    }

    /// <summary>
    /// Damage on the store (tampering, corruption, truncation) is found only when an object is read:
    /// an operator must hear of it. The key stays out of the line (it could hold anything); the
    /// request id finds it in the access log.
    /// </summary>
    private void NoteDamage(S3Call call, S3Error error)
    {
        if (error == S3Errors.StoredDataDamaged || error == S3Errors.ObjectTampered)
        {
            _log.Warning($"request {Encoding.ASCII.GetString(call.RequestIdBytes)}: stored object is damaged (tampered, corrupt or truncated); its answer was refused or cut short");
        }
    }

    /// <summary>
    /// Gives the transport's own answers (malformed HTTP, limits, timeouts, a full server) what every
    /// S3 answer has: a request id and an &lt;Error&gt; document with an S3 code.
    /// </summary>
    public void WriteTransportError(HttpRequest request, HttpResponse response, RequestRejectionReason? reason)
    {
        S3Call call = S3Call.For(request, response);
        response.Headers.Add("x-amz-request-id"u8, call.RequestIdBytes);
        call.Fail(TransportErrors.For(reason));
    }

    private ValueTask<S3Error?> DispatchAsync(S3Call call)
    {
        // What a new bucket or object (or an ACL) may grant, and what a write asks for beyond its
        // content, is checked before anything is created.
        HttpRequestHeaders headers = call.Request.Headers;
        S3Error? refused = call.Route.Operation switch
        {
            S3Operation.CreateBucket or S3Operation.PutBucketAcl or S3Operation.PutObjectAcl => Acl.CheckHeaders(headers),
            S3Operation.PutObject or S3Operation.CopyObject or S3Operation.CreateMultipartUpload => Acl.CheckHeaders(headers) ?? UnsupportedHeaders.Check(headers),
            _ => null,
        };
        if (refused is not null)
        {
            return ValueTask.FromResult<S3Error?>(refused);
        }

        return DispatchOperationAsync(call);
    }

    private ValueTask<S3Error?> DispatchOperationAsync(S3Call call) => call.Route.Operation switch
    {
        S3Operation.ListBuckets => _buckets.ListAsync(call),
        S3Operation.CreateBucket => _buckets.CreateAsync(call),
        S3Operation.HeadBucket => _buckets.HeadAsync(call),
        S3Operation.DeleteBucket => _buckets.DeleteAsync(call),
        S3Operation.GetBucketLocation => _buckets.LocationAsync(call),
        S3Operation.GetBucketVersioning => _buckets.VersioningAsync(call),
        S3Operation.GetBucketAcl => _acl.GetBucketAclAsync(call),
        S3Operation.PutBucketAcl => _acl.PutBucketAclAsync(call),
        S3Operation.GetObjectAcl => _acl.GetObjectAclAsync(call),
        S3Operation.PutObjectAcl => _acl.PutObjectAclAsync(call),
        S3Operation.GetObjectAttributes => _attributes.GetAsync(call),
        S3Operation.GetObjectTagging => _tagging.GetObjectTaggingAsync(call),
        S3Operation.PutObjectTagging => _tagging.PutObjectTaggingAsync(call),
        S3Operation.DeleteObjectTagging => _tagging.DeleteObjectTaggingAsync(call),
        S3Operation.GetBucketTagging => _tagging.GetBucketTaggingAsync(call),
        S3Operation.PutBucketTagging => _tagging.PutBucketTaggingAsync(call),
        S3Operation.DeleteBucketTagging => _tagging.DeleteBucketTaggingAsync(call),
        S3Operation.GetBucketEncryption => _encryption.GetAsync(call),
        S3Operation.PutBucketEncryption => _encryption.PutAsync(call),
        S3Operation.DeleteBucketEncryption => _encryption.DeleteAsync(call),
        S3Operation.PutObject => _put.PutObjectAsync(call),
        S3Operation.GetObject => _get.GetObjectAsync(call, head: false),
        S3Operation.HeadObject => _get.GetObjectAsync(call, head: true),
        S3Operation.DeleteObject => _delete.DeleteObjectAsync(call),
        S3Operation.ListObjectsV1 => _list.ListObjectsV1Async(call),
        S3Operation.ListObjectsV2 => _list.ListObjectsV2Async(call),
        S3Operation.ListObjectVersions => _list.ListObjectVersionsAsync(call),
        S3Operation.DeleteObjects => _deleteObjects.DeleteObjectsAsync(call),
        S3Operation.CopyObject => _copy.CopyObjectAsync(call),
        S3Operation.CreateMultipartUpload => _multipart.CreateAsync(call),
        S3Operation.UploadPart => _uploadPart.UploadPartAsync(call),
        S3Operation.UploadPartCopy => _uploadPart.UploadPartCopyAsync(call),
        S3Operation.CompleteMultipartUpload => _complete.CompleteAsync(call),
        S3Operation.AbortMultipartUpload => _multipart.AbortAsync(call),
        S3Operation.ListParts => _multipart.ListPartsAsync(call),
        S3Operation.ListMultipartUploads => _multipart.ListUploadsAsync(call),
        _ => ValueTask.FromResult<S3Error?>(S3Error.NotImplemented),
    };
}
