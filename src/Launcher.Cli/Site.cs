using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Posix;
using Launcher.Posix.Logging;
using Launcher.Posix.Privileged;

namespace Launcher.Cli;

/// <summary>
/// A command's view of the site (<see cref="SiteServices"/>: config, decision path, audit trail),
/// with what only the command line does: load the config or print every error, refuse a set-id
/// caller before anything else, and print the one stderr line when an audit record fails.
/// </summary>
public sealed class Site
{
    private readonly SiteServices _services;

    private Site(SiteServices services) => _services = services;

    public SiteConfig Config => _services.Config;
    public Authorizer Authorizer => _services.Authorizer;
    public TimeProvider Clock => _services.Clock;

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
            RefuseCaller(command, refusal);
            return null;
        }
        return LoadCore(configPath ?? SiteConfigFile.DefaultPath, quiet: false);
    }

    /// <summary>
    /// Refuses a set-id caller before anything else happens: one stderr line with the reason code,
    /// and an audit record when the installation's config names a destination.
    /// </summary>
    private static void RefuseCaller(string command, Refusal refusal)
    {
        Console.Error.WriteLine($"ci-launcher: {refusal}");
        var site = LoadCore(SiteConfigFile.DefaultPath, quiet: true);
        site?.Record(Decision.Refused(refusal), command);
    }

    /// <summary>
    /// For commands that only root may run through the wrapper (check-config, explain, jwks refresh):
    /// true, after the refusal (<see cref="CallerGate.CheckRootOnly"/>), when the caller is not root.
    /// </summary>
    public static bool RefuseUnlessRoot(string command)
    {
        if (CallerGate.CheckRootOnly(command) is not { } refusal) return false;
        RefuseCaller(command, refusal);
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
        if (CallerIsUnprivileged) RefuseCaller(command, refusal);
        else Console.Error.WriteLine($"ci-launcher: {refusal}");
        return true;
    }

    private static Site? LoadCore(string path, bool quiet)
    {
        var (services, errors) = SiteServices.Load(path, AuditSinks.CliTag);
        if (services is null)
        {
            if (quiet) return null;
            foreach (var e in errors)
                Console.Error.WriteLine($"ci-launcher: {e.Reason}: {(CallerIsUnprivileged ? e.Withheld() : e.ToString())}");
            return null;
        }
        return new Site(services);
    }

    /// <summary>
    /// Writes the decision's audit record (audit.file and syslog) and returns whether it was written;
    /// on false the one stderr line is printed. A command that grants anything (run, executor,
    /// token issue) records BEFORE acting and refuses when this fails. Only commands that grant
    /// nothing (validate, explain) may ignore the result.
    /// </summary>
    public bool Record(Decision decision, string command, IReadOnlyDictionary<string, string>? extra = null, bool durable = true)
    {
        if (_services.Record(decision, command, extra, durable) is not { } failed) return true;
        Console.Error.WriteLine($"ci-launcher: {failed}");
        return false;
    }
}
