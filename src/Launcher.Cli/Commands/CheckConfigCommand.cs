using Launcher.Core.Authorization;
using Launcher.Core.Tokens;
using Launcher.Posix.Files;
using Launcher.Posix.Privileged;

namespace Launcher.Cli.Commands;

/// <summary><c>check-config</c>: like <c>sshd -t</c>. Exit 0 when the config and every key set load, 2 otherwise.</summary>
public static class CheckConfigCommand
{
    public static int Run(IReadOnlyList<string> argv)
    {
        var args = CliArgs.Parse(argv, new HashSet<string> { "config" }, new HashSet<string>());
        if (args.Positional.Count > 0) throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        if (Site.RefuseUnlessRoot("check-config")) return ExitCodes.UsageOrConfig;
        var site = Site.Load(args.Get("config"), "check-config");
        if (site is null) return ExitCodes.UsageOrConfig;

        foreach (var warning in site.Config.Warnings)
            Console.Error.WriteLine($"ci-launcher: warning: {warning}");

        bool ok = true;
        var keySource = new Launcher.Posix.Keys.JwksFileKeySource(ProcessIdentity.IsPrivileged);
        foreach (var issuer in site.Config.Issuers)
        {
            var loaded = keySource.GetKeys(issuer);
            if (!loaded.Ok)
            {
                // Right after installation the key set does not exist until the first refresh: warn.
                // A key set that exists but is unreadable, untrusted or unusable is an error.
                if (loaded.Refusal.Reason == Reasons.JwksUnavailable && !File.Exists(issuer.JwksFile))
                {
                    Console.Error.WriteLine($"ci-launcher: warning: {loaded.Refusal}");
                    continue;
                }
                Console.Error.WriteLine($"ci-launcher: {loaded.Refusal}");
                ok = false;
                continue;
            }
            var keys = loaded.Value;
            Console.Out.WriteLine($"issuer '{issuer.Name}': {keys.Keys.Count} signing key(s) in {issuer.JwksFile} ({string.Join(", ", keys.Keys.Select(k => k.KeyId))})");
            foreach (var skipped in keys.Skipped)
                Console.Error.WriteLine($"ci-launcher: warning: issuer '{issuer.Name}': ignored {skipped}");
        }
        if (!GroupNamesResolve(site.Config)) ok = false;
        if (site.Config.Audit.File.Length > 0 && CheckAuditFile(site.Config.Audit.File) is { } auditProblem)
        {
            Console.Error.WriteLine($"ci-launcher: {auditProblem}");
            ok = false;
        }
        Console.Out.WriteLine(ok ? $"{site.Config.Path}: configuration OK ({site.Config.Issuers.Count} issuer(s), {site.Config.Rules.Count} rule(s))" : $"{site.Config.Path}: configuration has problems (see above)");
        return ok ? 0 : ExitCodes.UsageOrConfig;
    }

    /// <summary>
    /// Every name in accounts.allow_groups and deny_groups must be a group on this host: the
    /// rules match by gid, and a name that does not resolve makes every decision with group rules
    /// a site error (account.lookup_failed) rather than a silent non-match.
    /// </summary>
    private static bool GroupNamesResolve(Launcher.Core.Config.SiteConfig config)
    {
        bool ok = true;
        var db = new Launcher.Posix.Accounts.PosixAccountDatabase();
        foreach (var (list, names) in new[] { ("allow_groups", config.Accounts.AllowGroups), ("deny_groups", config.Accounts.DenyGroups) })
        {
            for (int i = 0; i < names.Count; i++)
            {
                var lookup = db.LookupGroup(names[i]);
                if (lookup.Status == Launcher.Core.Accounts.LookupStatus.Found) continue;
                ok = false;
                Console.Error.WriteLine(lookup.Status == Launcher.Core.Accounts.LookupStatus.NotFound
                    ? $"ci-launcher: {Launcher.Core.Authorization.Reasons.ConfigInvalid}: {config.Path}: accounts.{list}[{i}]: group '{names[i]}' does not exist on this host (getgrnam); every decision is refused (account.lookup_failed) until the group exists or the entry is removed"
                    : $"ci-launcher: {Launcher.Core.Authorization.Reasons.AccountLookupFailed}: {config.Path}: accounts.{list}[{i}]: looking up group '{names[i]}' failed: {lookup.Error}");
            }
        }
        return ok;
    }

    /// <summary>
    /// The audit trail is only as good as its directory: one that others can write to lets them
    /// replace or remove the log. Root requires the whole path to be root's (the trusted walk);
    /// the file itself must not be a link (the writer refuses links) and should be private.
    /// </summary>
    private static Refusal? CheckAuditFile(string file)
    {
        string dir = Path.GetDirectoryName(file) ?? "/";
        if (ProcessIdentity.IsPrivileged)
        {
            var judged = TrustedFile.OpenDirectory(dir);
            if (!judged.Ok) return Refusal.SiteError(Reasons.AuditUnavailable, $"audit.file directory: {judged.Refusal.Detail}");
            judged.Value.Dispose();
        }
        else if (!Directory.Exists(dir))
        {
            return Refusal.SiteError(Reasons.AuditUnavailable, $"audit.file directory {dir} does not exist");
        }
        var audit = new FileInfo(file);
        if (audit.LinkTarget is not null)
            return Refusal.SiteError(Reasons.AuditUnavailable, $"audit.file {audit.FullName} is a symlink, which the audit writer refuses; point audit.file at the real file");
        if (audit.Exists && (audit.UnixFileMode & (UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            Console.Error.WriteLine($"ci-launcher: warning: audit.file {audit.FullName} has mode {Convert.ToString((int)audit.UnixFileMode, 8)}; records name users and projects, chmod 600 it");
        return null;
    }
}
