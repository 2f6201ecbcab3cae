namespace FastS3.Load.Signing;

/// <summary>
/// Presigned (query-string) SigV4 URLs. The payload is UNSIGNED-PAYLOAD, which S3 accepts over HTTP and HTTPS
/// alike; headers that must travel with the request (the SSE-C triple) are listed in X-Amz-SignedHeaders, so the
/// URL only works when they are sent with exactly these values.
/// </summary>
internal static class Presigner
{
    public static Uri Presign(SigningKey key, string method, Uri endpoint, string path, IReadOnlyList<(string Name, string Value)> query,
        IReadOnlyList<(string Name, string Value)> headers, DateTime now, TimeSpan expires)
    {
        string amzDate = SigV4.AmzDate(now);
        var signed = new List<(string Name, string Value)>(headers.Count + 1) { ("host", endpoint.Authority) };
        signed.AddRange(headers.Select(h => (h.Name.ToLowerInvariant(), h.Value.Trim())));
        signed.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        string signedHeaders = SigV4.SignedHeaderList(signed);

        var parameters = new List<(string Name, string Value)>(query.Count + 5)
        {
            ("X-Amz-Algorithm", SigV4.Algorithm),
            ("X-Amz-Credential", $"{key.AccessKey}/{key.Scope(amzDate[..8])}"),
            ("X-Amz-Date", amzDate),
            ("X-Amz-Expires", ((long)expires.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("X-Amz-SignedHeaders", signedHeaders),
        };
        parameters.AddRange(query);
        string canonicalQuery = CanonicalQuery(parameters);

        string canonicalRequest = SigV4.CanonicalRequest(method, path, canonicalQuery, signed, signedHeaders, SigV4.UnsignedPayload);
        string signature = SigV4.Signature(key, amzDate, canonicalRequest);
        return new Uri($"{endpoint.Scheme}://{endpoint.Authority}{path}?{canonicalQuery}&X-Amz-Signature={signature}");
    }

    /// <summary>Encoded name=value pairs sorted by encoded name, then value; a flag parameter is written <c>name=</c>.</summary>
    public static string CanonicalQuery(IEnumerable<(string Name, string Value)> parameters) => string.Join('&', parameters
        .Select(p => (Name: UriEncoding.Component(p.Name), Value: UriEncoding.Component(p.Value)))
        .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
        .Select(p => $"{p.Name}={p.Value}"));
}
