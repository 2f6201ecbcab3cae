using FastS3.Xml;

namespace FastS3.Api;

/// <summary>The entries a listing pages through, in name order; several may share a name (uploads of one key).</summary>
internal interface IListedEntries
{
    /// <summary>Moves to the next entry; false after the last.</summary>
    bool MoveNext();

    /// <summary>The current entry's name (an object key).</summary>
    ReadOnlySpan<byte> Name { get; }

    /// <summary>Moves to just before the first entry whose name is at least <paramref name="name"/>.</summary>
    void SeekTo(ReadOnlySpan<byte> name);

    /// <summary>Writes the current entry's element (Contents, Version, Upload).</summary>
    void Write(ref XmlBuilder xml);
}

/// <summary>How a page ended: entries and common prefixes listed, the last of them (a prefix or an entry's name), and whether more follow.</summary>
internal readonly record struct ListedPage(int Count, int LastLength, bool LastIsPrefix, bool Truncated);

/// <summary>
/// The walk every listing shares (ListObjects V1 and V2, ListObjectVersions, ListMultipartUploads):
/// entries in name order from where the page starts, ending at the first outside the prefix; names
/// folded into common prefixes at the delimiter, each folded range jumped past with one seek (so a
/// page costs the same however many names a prefix holds); a common prefix holding the marker passed
/// over, since an earlier page listed it; at most <c>max</c> entries and prefixes.
/// </summary>
internal static class ListingWalk
{
    /// <summary>
    /// Writes the page's entries and common prefixes; <paramref name="last"/> (at least as long as
    /// any name) receives the last listed, which the next page resumes after. The entries must
    /// start at or after the first name starting with <paramref name="prefix"/>.
    /// </summary>
    public static ListedPage Run<TEntries>(ref TEntries entries, ref XmlBuilder xml, scoped ReadOnlySpan<byte> prefix, scoped ReadOnlySpan<byte> delimiter,
        scoped ReadOnlySpan<byte> marker, int max, bool urlEncoding, scoped Span<byte> last)
        where TEntries : struct, IListedEntries
    {
        int count = 0, lastLength = 0;
        bool lastIsPrefix = false;
        Span<byte> successor = stackalloc byte[S3Call.MaxKeyLength];
        while (entries.MoveNext())
        {
            ReadOnlySpan<byte> name = entries.Name;
            if (!name.StartsWith(prefix))
            {
                break;
            }

            int fold = delimiter.IsEmpty ? -1 : name[prefix.Length..].IndexOf(delimiter);
            ReadOnlySpan<byte> common = fold < 0 ? default : name[..(prefix.Length + fold + delimiter.Length)];
            if (fold >= 0 && marker.StartsWith(common))
            {
                // The marker is inside this common prefix, which an earlier page already returned.
                if (!SkipPast(ref entries, common, successor))
                {
                    break;
                }

                continue;
            }

            if (count == max)
            {
                return new ListedPage(count, lastLength, lastIsPrefix, Truncated: max > 0);
            }

            count++;
            lastIsPrefix = fold >= 0;
            ReadOnlySpan<byte> listed = lastIsPrefix ? common : name;
            listed.CopyTo(last);
            lastLength = listed.Length;
            if (!lastIsPrefix)
            {
                entries.Write(ref xml);
                continue;
            }

            xml.Open("CommonPrefixes"u8);
            xml.KeyElement("Prefix"u8, common, urlEncoding);
            xml.Close("CommonPrefixes"u8);
            if (!SkipPast(ref entries, common, successor))
            {
                break;
            }
        }

        return new ListedPage(count, lastLength, lastIsPrefix, Truncated: false);
    }

    /// <summary>Moves past every entry whose name starts with <paramref name="folded"/>; false when no name can follow.</summary>
    private static bool SkipPast<TEntries>(ref TEntries entries, ReadOnlySpan<byte> folded, Span<byte> successor)
        where TEntries : struct, IListedEntries
    {
        // The smallest name above the whole range: drop trailing 0xFF bytes, then increment the last byte.
        int length = folded.Length;
        while (length > 0 && folded[length - 1] == 0xFF)
        {
            length--;
        }

        if (length == 0)
        {
            return false;
        }

        folded[..length].CopyTo(successor);
        successor[length - 1]++;
        entries.SeekTo(successor[..length]);
        return true;
    }
}
