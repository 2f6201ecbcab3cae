namespace FastS3.Load.Signing;

/// <summary>
/// Authorization-header SigV4. Over HTTPS the body is sent as UNSIGNED-PAYLOAD (the server need not hash it);
/// over plain HTTP S3 wants the body's SHA-256, which the caller passes (every body here is the same pattern,
/// so that hash is computed once per size).
/// </summary>
internal static class HeaderSigner
{
    public static void Sign(HttpRequestMessage request, SigningKey key, string path, string canonicalQuery, string payloadHash,
        IReadOnlyList<(string Name, string Value)> headers, DateTime now)
    {
        string amzDate = SigV4.AmzDate(now);
        var signed = new List<(string Name, string Value)>(headers.Count + 3)
        {
            ("host", request.RequestUri!.Authority),
            ("x-amz-content-sha256", payloadHash),
            ("x-amz-date", amzDate),
        };
        signed.AddRange(headers.Select(h => (h.Name.ToLowerInvariant(), h.Value.Trim())));
        signed.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        string signedHeaders = SigV4.SignedHeaderList(signed);

        string signature = SigV4.Signature(key, amzDate, SigV4.CanonicalRequest(request.Method.Method, path, canonicalQuery, signed, signedHeaders, payloadHash));
        foreach ((string name, string value) in signed)
        {
            if (name != "host")
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Headers.TryAddWithoutValidation("Authorization",
            $"{SigV4.Algorithm} Credential={key.AccessKey}/{key.Scope(amzDate[..8])}, SignedHeaders={signedHeaders}, Signature={signature}");
    }
}
