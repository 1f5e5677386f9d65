using System.Net;
using System.Net.Sockets;

namespace CryptoIndex.Operator.Sandbox;

/// <summary>
/// The sandbox's ports on 127.0.0.1, checked before anything starts: a port already taken is a usage error naming its
/// option, not Kestrel's unhandled "address already in use" with a stack trace.
/// </summary>
internal static class SandboxPorts
{
    /// <summary>Why <paramref name="port"/> cannot be listened on, naming <paramref name="option"/>, or null (0 takes any free port).</summary>
    public static string? InUse(string option, int port)
    {
        if (port == 0)
        {
            return null;
        }

        var probe = new TcpListener(IPAddress.Loopback, port);
        try
        {
            probe.Start();
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return $"{option}: 127.0.0.1:{port} is already in use; name another port, or 0 for any free one";
        }
        finally
        {
            probe.Stop();
        }
    }
}
