using System.Net.Sockets;
using System.Text;
using Launcher.Core.Audit;

namespace Launcher.Posix.Logging;

/// <summary>
/// Audit records to syslog at LOG_AUTHPRIV, written straight to the log socket (RFC 3164 framing)
/// so no variadic C call is needed. When the audit file is configured it is the durable record,
/// and a host without a syslog daemon (no /dev/log) is not an error; when syslog is the only sink
/// (<paramref name="required"/>), failing to deliver is an audit failure like any other.
/// </summary>
public sealed class SyslogSink(string tag = "ci-launcher", string socketPath = SyslogSink.DevLog, bool required = false) : IAuditSink
{
    public const string DevLog = "/dev/log";
    public const int LogAuthPriv = 10 << 3;
    public const int LogInfo = 6;
    public const int LogNotice = 5;
    public const int LogWarning = 4;

    public string SocketPath => socketPath;

    public void Write(AuditRecord record)
    {
        int severity = record.Decision switch { "allow" => LogInfo, "deny" => LogNotice, _ => LogWarning };
        Send(severity, record.ToJson());
    }

    public void Send(int severity, string message)
    {
        string line = $"<{LogAuthPriv | severity}>{tag}[{Environment.ProcessId}]: {message}";
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            socket.Send(Encoding.UTF8.GetBytes(line));
        }
        catch (SocketException e)
        {
            // No daemon, or a stream-mode socket (some containers): the audit file holds the record.
            if (required)
                throw new IOException($"syslog socket {socketPath}: {e.Message} (audit.file is empty, so syslog is the only audit record)", e);
        }
    }
}
