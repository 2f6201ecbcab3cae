using System.Text.Json;

namespace FastS3.KmsApi;

/// <summary>
/// One page of a list operation, as its Limit and Marker members ask: the items from just after
/// the one the marker names, at most Limit of them. The marker is the last item's own name (a key
/// id, alias name or version number), so it stays valid while other items come and go.
/// </summary>
internal readonly record struct Page<T>(IReadOnlyList<T> Items, int Start, int End, Func<T, string> MarkerOf)
{
    public const int MaxMarkerLength = 1024;

    public IEnumerable<T> InPage
    {
        get
        {
            for (int i = Start; i < End; i++)
            {
                yield return Items[i];
            }
        }
    }

    /// <summary>The page of <paramref name="items"/> the request asks for; InvalidMarkerException for a marker no response gave.</summary>
    public static KmsError? Read(KmsRequest request, IReadOnlyList<T> items, Func<T, string> markerOf, int defaultLimit, int maxLimit, out Page<T> page)
    {
        int limit = request.Integer("Limit", 1, maxLimit) ?? defaultLimit;
        string? marker = request.String("Marker", MaxMarkerLength);
        int start = 0;
        if (marker is not null)
        {
            start = 1 + Enumerable.Range(0, items.Count).FirstOrDefault(i => markerOf(items[i]) == marker, -2);
        }

        page = new Page<T>(items, Math.Max(start, 0), Math.Clamp(start + limit, 0, items.Count), markerOf);
        return request.Error ?? (start < 0 ? KmsErrors.InvalidMarker : null);
    }

    /// <summary>Truncated, and the NextMarker to ask for the rest with when there is more.</summary>
    public void WriteEnd(Utf8JsonWriter json)
    {
        json.WriteBoolean("Truncated"u8, End < Items.Count);
        if (End < Items.Count)
        {
            json.WriteString("NextMarker"u8, MarkerOf(Items[End - 1]));
        }
    }
}
