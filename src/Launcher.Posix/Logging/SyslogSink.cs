using System.Net.Sockets;
using System.Text;
using Launcher.Core.Audit;

namespace Launcher.Posix.Logging;

/// <summary>
/// Audit records to syslog at LOG_AUTHPRIV, written straight to /dev/log (RFC 3164 framing) so
/// no variadic C call is needed. A host without a syslog daemon simply has no /dev/log; that
/// is not an error (the audit file is the durable record).
/// </summary>
public sealed class SyslogSink(string tag = "ci-launcher") : IAuditSink
{
    private const int LogAuthPriv = 10 << 3;
    private const int LogInfo = 6;
    private const int LogNotice = 5;
    private const int LogWarning = 4;

    public void Write(AuditRecord record)
    {
        int severity = record.Decision switch { "allow" => LogInfo, "deny" => LogNotice, _ => LogWarning };
        Send(severity, record.ToJson());
    }

    public void Send(int severity, string message)
    {
        if (!File.Exists("/dev/log")) return;
        string line = $"<{LogAuthPriv | severity}>{tag}[{Environment.ProcessId}]: {message}";
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint("/dev/log"));
            socket.Send(Encoding.UTF8.GetBytes(line));
        }
        catch (SocketException)
        {
            // A stream-mode /dev/log (some containers) or a dead daemon: the file sink still holds the record.
        }
    }
}
