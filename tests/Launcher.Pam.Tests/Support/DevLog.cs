using System.Net.Sockets;
using System.Text;

namespace Launcher.Pam.Tests.Support;

/// <summary>
/// A private mount namespace for one pam_app run whose /dev/log is the test's own datagram
/// socket, or absent: the PAM library's syslog records are read (or syslog made to fail)
/// without touching the host's syslog. /dev is an overlay of the host's, so every device node
/// stays. Needs root (unshare, mount).
/// </summary>
public sealed class DevLog : IDisposable
{
    private readonly Socket? _socket;
    private readonly string _script;

    private DevLog(string siteDir, bool capture)
    {
        string dir = Path.Combine(siteDir, "devlog-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(dir, "upper"));
        Directory.CreateDirectory(Path.Combine(dir, "work"));
        _script = $"mount -t overlay overlay -o 'lowerdir=/dev,upperdir={dir}/upper,workdir={dir}/work' /dev && rm -f /dev/log";
        if (capture)
        {
            string path = Path.Combine(dir, "log.sock");
            _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            _socket.Bind(new UnixDomainSocketEndPoint(path));
            _script += $" && touch /dev/log && mount --bind '{path}' /dev/log";
        }
    }

    /// <summary>/dev/log is a socket this object reads.</summary>
    public static DevLog Capture(string siteDir) => new(siteDir, capture: true);

    /// <summary>No /dev/log: no syslog daemon.</summary>
    public static DevLog Missing(string siteDir) => new(siteDir, capture: false);

    /// <summary>The launcher for <see cref="PamAppResult.RunUnder"/>.</summary>
    public IReadOnlyList<string> Launcher => ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", _script + " && exec \"$@\"", "sh"];

    /// <summary>Every datagram received so far.</summary>
    public List<string> Received()
    {
        var lines = new List<string>();
        if (_socket is null) return lines;
        var buffer = new byte[65536];
        while (_socket.Poll(0, SelectMode.SelectRead))
            lines.Add(Encoding.UTF8.GetString(buffer, 0, _socket.Receive(buffer)));
        return lines;
    }

    public void Dispose() => _socket?.Dispose();
}
