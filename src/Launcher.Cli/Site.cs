using Launcher.Core.Audit;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Posix;
using Launcher.Posix.Accounts;
using Launcher.Posix.Keys;
using Launcher.Posix.Logging;

namespace Launcher.Cli;

/// <summary>Everything a command needs from the host: the validated config, the decision path and the audit trail.</summary>
public sealed class Site
{
    private Site(SiteConfig config, Authorizer authorizer, AuditTrail audit)
    {
        Config = config;
        Authorizer = authorizer;
        Audit = audit;
    }

    public SiteConfig Config { get; }
    public Authorizer Authorizer { get; }
    public AuditTrail Audit { get; }
    public TimeProvider Clock => TimeProvider.System;

    /// <summary>Loads the site or prints the config errors (one per line) and returns null.</summary>
    public static Site? Load(string? configPath)
    {
        string path = configPath ?? SiteConfigFile.DefaultPath;
        bool privileged = ProcessIdentity.IsPrivileged;
        var config = SiteConfigFile.Load(path, privileged, out var errors, out bool untrusted);
        if (config is null)
        {
            foreach (var e in errors)
                Console.Error.WriteLine($"ci-launcher: {(untrusted ? Reasons.ConfigUntrusted : Reasons.ConfigInvalid)}: {e}");
            return null;
        }
        var sinks = new List<IAuditSink>();
        if (config.Audit.File.Length > 0) sinks.Add(new AuditFileSink(config.Audit.File));
        if (config.Audit.Syslog) sinks.Add(new SyslogSink());
        var authorizer = new Authorizer(config, new JwksFileKeySource(privileged), new PosixAccountDatabase(), TimeProvider.System);
        return new Site(config, authorizer, new AuditTrail(sinks));
    }

    /// <summary>
    /// Writes the decision's audit record. Returns false when it could not be written; callers
    /// that grant something must then refuse (audit.unavailable).
    /// </summary>
    public bool Record(Decision decision, string command, IReadOnlyDictionary<string, string>? extra = null)
    {
        var record = AuditRecord.From(decision, command, ProcessIdentity.RealUid, Clock.GetUtcNow(), extra);
        if (Audit.TryWrite(record, out string? error)) return true;
        Console.Error.WriteLine($"ci-launcher: {Reasons.AuditUnavailable}: {error}");
        return false;
    }
}
