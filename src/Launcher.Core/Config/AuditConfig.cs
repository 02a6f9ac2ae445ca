namespace Launcher.Core.Config;

public sealed class AuditConfig
{
    /// <summary>JSON-lines audit file; empty disables the file sink (syslog still receives every record).</summary>
    public string File { get; set; } = "/var/log/ci-launcher/audit.log";
    public bool Syslog { get; set; } = true;
}
