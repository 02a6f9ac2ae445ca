using Launcher.Core.Audit;
using Launcher.Core.Config;

namespace Launcher.Posix.Logging;

/// <summary>The audit sinks the config asks for. The one place they are built, for the CLI and the PAM library alike.</summary>
public static class AuditSinks
{
    /// <summary>Syslog tags: the CLI's, and the PAM library's (the name admins know from pam_syslog lines).</summary>
    public const string CliTag = "ci-launcher", PamTag = "pam_ci_launcher";

    /// <summary>
    /// The file sink when audit.file is set; syslog when audit.syslog is, required (its failure is
    /// an audit failure) when it is the only destination. No destination at all makes every
    /// write fail (see <see cref="AuditTrail.TryWrite"/>), so grants are refused.
    /// </summary>
    public static AuditTrail For(AuditConfig config, string tag)
    {
        var sinks = new List<IAuditSink>();
        if (config.File.Length > 0) sinks.Add(new AuditFileSink(config.File));
        if (config.Syslog) sinks.Add(new SyslogSink(tag, required: config.File.Length == 0));
        return new AuditTrail(sinks);
    }
}
