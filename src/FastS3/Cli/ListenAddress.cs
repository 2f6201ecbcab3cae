using System.Net;
using System.Net.Sockets;

namespace FastS3.Cli;

/// <summary>
/// Parses --address as MinIO does: ":9000" is every interface (IPv6 dual-stack, so IPv4 too),
/// "localhost:9000" both loopbacks, "127.0.0.1:9000" or "[::1]:9000" exactly that address.
/// </summary>
internal static class ListenAddress
{
    public static IReadOnlyList<IPEndPoint> Parse(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(text.AsSpan(colon + 1), out int port) || port is < 0 or > 65535)
        {
            throw new FormatException($"'{text}' is not HOST:PORT (for example :9000 or 127.0.0.1:9000).");
        }

        string host = text[..colon].Trim('[', ']');
        if (host.Length == 0)
        {
            return [Socket.OSSupportsIPv6 ? new IPEndPoint(IPAddress.IPv6Any, port) : new IPEndPoint(IPAddress.Any, port)];
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return Socket.OSSupportsIPv6
                ? [new IPEndPoint(IPAddress.Loopback, port), new IPEndPoint(IPAddress.IPv6Loopback, port)]
                : [new IPEndPoint(IPAddress.Loopback, port)];
        }

        if (IPAddress.TryParse(host, out IPAddress? address))
        {
            return [new IPEndPoint(address, port)];
        }

        throw new FormatException($"'{host}' is not an IP address or localhost.");
    }
}
