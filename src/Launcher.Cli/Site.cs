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
        var authorizer = new Authorizer(config, new JwksFileKeySource(privileged), new PosixAccountDatabase(), TimeProvider.System);
        return new Site(config, authorizer, AuditSinks.For(config.Audit, AuditSinks.CliTag));
    }

    /// <summary>
    /// Writes the decision's audit record (audit.file and syslog) and returns whether it was written.
    /// On false the reason has already been printed. A command that grants anything (run,
    /// executor, token issue) records BEFORE acting and must then refuse:
    /// <see cref="RecordOrRefuse"/> does exactly that. Only commands that grant nothing
    /// (validate, explain) may ignore the result.
    /// </summary>
    public bool Record(Decision decision, string command, IReadOnlyDictionary<string, string>? extra = null)
    {
        var record = AuditRecord.From(decision, command, ProcessIdentity.RealUid, Clock.GetUtcNow(), extra);
        if (Audit.TryWrite(record, out string? error)) return true;
        Console.Error.WriteLine($"ci-launcher: {Reasons.AuditUnavailable}: {error}");
        return false;
    }

    /// <summary>
    /// For commands that grant something: the decision to act on, after recording it. An allow
    /// that could not be recorded comes back as an <c>audit.unavailable</c> refusal (see
    /// <see cref="AuditTrail.RecordOrRefuse"/>). Use it as
    /// <code>decision = site.RecordOrRefuse(decision, "run"); if (!decision.Allowed) return ...;</code>
    /// </summary>
    public Decision RecordOrRefuse(Decision decision, string command, IReadOnlyDictionary<string, string>? extra = null)
    {
        var result = Audit.RecordOrRefuse(decision, d => AuditRecord.From(d, command, ProcessIdentity.RealUid, Clock.GetUtcNow(), extra), out string? error);
        if (error is not null) Console.Error.WriteLine($"ci-launcher: {Reasons.AuditUnavailable}: {error}");
        return result;
    }
}
