using Launcher.Core.Audit;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Posix;
using Launcher.Posix.Accounts;
using Launcher.Posix.Keys;
using Launcher.Posix.Logging;
using Launcher.Posix.Privileged;

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

    /// <summary>A caller of ci-launcher-suid (<see cref="CallerGate.CallerIsUnprivileged"/>).</summary>
    public static bool CallerIsUnprivileged => CallerGate.CallerIsUnprivileged;

    /// <summary>
    /// Loads the site or prints the config errors (one per line) and returns null. A set-id caller
    /// always gets <see cref="SiteConfigFile.DefaultPath"/>; naming another config is refused and
    /// audited there (<see cref="CallerGate.CheckConfigChoice"/>).
    /// </summary>
    public static Site? Load(string? configPath, string command)
    {
        if (CallerGate.CheckConfigChoice(configPath, SiteConfigFile.DefaultPath) is { } refusal)
        {
            RefuseCaller(command, refusal.Reason, refusal.Detail);
            return null;
        }
        return LoadCore(configPath ?? SiteConfigFile.DefaultPath, quiet: false);
    }

    /// <summary>
    /// Refuses a set-id caller before anything else happens: one stderr line with the reason code,
    /// and an audit record when the installation's config names a destination.
    /// </summary>
    public static void RefuseCaller(string command, string reason, string detail)
    {
        Console.Error.WriteLine($"ci-launcher: {reason}: {detail}");
        var site = LoadCore(SiteConfigFile.DefaultPath, quiet: true);
        site?.Record(new Decision { Kind = DecisionKind.Denied, Reason = reason, Detail = detail }, command);
    }

    /// <summary>
    /// For commands that only root may run through the wrapper (check-config, explain, jwks refresh):
    /// true, after the refusal (<see cref="CallerGate.CheckRootOnly"/>), when the caller is not root.
    /// </summary>
    public static bool RefuseUnlessRoot(string command)
    {
        if (CallerGate.CheckRootOnly(command) is not { } refusal) return false;
        RefuseCaller(command, refusal.Reason, refusal.Detail);
        return true;
    }

    /// <summary>
    /// For site administration (keys, jwks export): true, after the refusal
    /// (<see cref="CallerGate.CheckAdmin"/>), unless root at a root shell. Through the wrapper the
    /// refusal is also audited.
    /// </summary>
    public static bool RefuseUnlessAdmin(string command)
    {
        if (CallerGate.CheckAdmin(command) is not { } refusal) return false;
        if (CallerIsUnprivileged) RefuseCaller(command, refusal.Reason, refusal.Detail);
        else Console.Error.WriteLine($"ci-launcher: {refusal.Reason}: {refusal.Detail}");
        return true;
    }

    private static Site? LoadCore(string path, bool quiet)
    {
        bool privileged = ProcessIdentity.IsPrivileged;
        var config = SiteConfigFile.Load(path, privileged, out var errors, out bool untrusted);
        if (config is null)
        {
            if (quiet) return null;
            foreach (var e in errors)
                Console.Error.WriteLine($"ci-launcher: {(untrusted ? Reasons.ConfigUntrusted : Reasons.ConfigInvalid)}: {(CallerIsUnprivileged ? e.Withheld() : e.ToString())}");
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
    public bool Record(Decision decision, string command, IReadOnlyDictionary<string, string>? extra = null, bool durable = true)
    {
        var record = AuditRecord.From(decision, command, ProcessIdentity.RealUid, Clock.GetUtcNow(), extra) with { Durable = durable };
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
