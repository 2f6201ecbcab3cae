using System.Globalization;

namespace FastS3.Load.Scenarios;

/// <summary>
/// Object keys of one case. Reads go to <c>obj-N</c>, writes to <c>put-N</c>, so a mixed run never GETs an object
/// while it is being replaced, and both sets cycle over N keys so a long PUT run does not fill the disk.
/// Size and SSE-C are part of the prefix: an object written under one run's random SSE-C key is never read
/// as a plain object.
/// </summary>
internal sealed record KeySpace(string Prefix, int Objects)
{
    public static KeySpace For(string rootPrefix, ScenarioCase c, int objects) =>
        new($"{rootPrefix}{Cli.ByteSize.Format(c.Size)}{(c.SseC ? "-ssec" : "")}/", objects);

    public string ReadPrefix => Prefix + "obj-";

    public string[] ReadKeys() => Keys(ReadPrefix);

    public string[] WriteKeys() => Keys(Prefix + "put-");

    private string[] Keys(string prefix) =>
        Enumerable.Range(0, Objects).Select(i => prefix + i.ToString("D6", CultureInfo.InvariantCulture)).ToArray();
}
