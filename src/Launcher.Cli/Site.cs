using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Policy;
using Launcher.Posix;
using Launcher.Posix.Logging;

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

    /// <summary>
    /// Set-id on behalf of someone other than root: a caller of ci-launcher-suid. Such a caller
    /// chooses no file root trusts and sees no content of one.
    /// </summary>
    public static bool CallerIsUnprivileged => ProcessIdentity.IsSetId && ProcessIdentity.RealUid != 0;

    /// <summary>
    /// Loads the site or prints the config errors (one per line) and returns null. A set-id caller
    /// always gets <see cref="SiteConfigFile.DefaultPath"/>: naming another config is refused (and
    /// audited there), because whichever root-owned file it named (an example, a test config, a
    /// file in a directory the caller can rename) would be trusted as the site's policy.
    /// </summary>
    public static Site? Load(string? configPath, string command)
    {
        if (CallerIsUnprivileged && configPath is not null && configPath != SiteConfigFile.DefaultPath)
        {
            RefuseCaller(command, Reasons.ConfigCallerChosen,
                $"--config {PolicyEngine.Printable(configPath)} cannot be chosen through ci-launcher-suid; callers always get {SiteConfigFile.DefaultPath} (drop --config)");
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
        site?.Record(Decision.Refused(Refusal.Denied(reason, detail)), command);
    }

    /// <summary>
    /// For commands that only root may run through the wrapper (check-config, explain, jwks refresh):
    /// true, after the refusal, when the caller is not root.
    /// </summary>
    public static bool RefuseUnlessRoot(string command)
    {
        if (!CallerIsUnprivileged) return false;
        RefuseCaller(command, Reasons.AdminRootOnly,
            $"'{command}' through ci-launcher-suid is for root only: it reads the site's files with root's rights; run it as root, or use 'validate --json' for your own decision");
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
    public bool Record(Decision decision, string command, IReadOnlyDictionary<string, string>? extra = null)
    {
        if (_services.Record(decision, command, extra) is not { } failed) return true;
        Console.Error.WriteLine($"ci-launcher: {failed}");
        return false;
    }
}
