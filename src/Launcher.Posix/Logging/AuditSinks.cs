using Launcher.Core.Audit;
using Launcher.Core.Config;

namespace Launcher.Posix.Logging;

/// <summary>The audit sinks the config asks for. The one place they are built, for the CLI and the PAM library alike.</summary>
public static class AuditSinks
{
    public static AuditTrail For(AuditConfig config, string tag = "ci-launcher")
    {
        var sinks = new List<IAuditSink>();
        if (config.File.Length > 0) sinks.Add(new AuditFileSink(config.File));
        if (config.Syslog) sinks.Add(new SyslogSink(tag, required: config.File.Length == 0));
        return new AuditTrail(sinks);
    }
}
