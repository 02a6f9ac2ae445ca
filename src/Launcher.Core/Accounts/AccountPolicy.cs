using Launcher.Core.Authorization;
using Launcher.Core.Config;

namespace Launcher.Core.Accounts;

/// <summary>
/// Whether a mapped name may be run as. One resolver for every path (run, executor, PAM,
/// token issue): checks happen in a fixed order so the reason for a refusal is predictable.
/// </summary>
public static class AccountPolicy
{
    /// <summary>Shells that mean "this account must not run anything", whatever /etc/shells says.</summary>
    private static readonly string[] NoLoginShells = ["nologin", "false"];

    /// <summary>
    /// The account of a mapped name: the name lists first (a deny_users entry must hold even if
    /// the user database is down), then getpwnam. "Not found" is a refusal of its own, and NSS
    /// trouble the site's problem, never a denial of the user.
    /// </summary>
    public static Outcome<Account> Resolve(string name, AccountsConfig rules, IAccountDatabase db, ITrace? trace = null)
    {
        if (rules.DenyUsers.Contains(name, StringComparer.Ordinal))
            return Refusal.Denied(Reasons.AccountDeniedUser, $"user '{name}' is in accounts.deny_users");
        if (rules.AllowUsers.Count > 0 && !rules.AllowUsers.Contains(name, StringComparer.Ordinal))
            return Refusal.Denied(Reasons.AccountNotAllowedUser, $"user '{name}' is not in accounts.allow_users");
        Pass(trace, rules.AllowUsers.Count > 0 ? $"'{name}' is in allow_users and not in deny_users" : $"'{name}' is not in deny_users (allow_users is empty: no user restriction)");

        var lookup = db.Lookup(name);
        if (lookup.Status == LookupStatus.NotFound)
            return Refusal.Denied(Reasons.AccountNotFound, $"user '{name}' does not exist on this host (getpwnam)");
        if (lookup.Status == LookupStatus.Error)
            return Refusal.SiteError(Reasons.AccountLookupFailed, $"looking up user '{name}' failed: {lookup.Error}");
        var a = lookup.Account!;
        Pass(trace, $"'{name}' exists: uid {a.Uid}, gid {a.Gid}, home {a.Home}, shell {a.Shell}");
        return Outcome.Of(a);
    }

    /// <summary>
    /// Whether a resolved account may run jobs: null when it passes every check, else the first
    /// refusal. The checks run in a fixed order so the reason for a refusal is predictable.
    /// </summary>
    public static Refusal? Admit(Account a, AccountsConfig rules, IAccountDatabase db, ITrace? trace = null)
    {
        string name = a.Name;

        if (a.Uid == 0 || a.Name == "root")
            return Refusal.Denied(Reasons.AccountRoot, $"user '{name}' has uid 0; running jobs as root is never allowed");
        if (a.Uid < rules.MinUid)
            return Refusal.Denied(Reasons.AccountUidBelowMin, $"user '{name}' has uid {a.Uid}, below accounts.min_uid {rules.MinUid}");
        Pass(trace, $"uid {a.Uid} >= min_uid {rules.MinUid}");
        if (a.Gid == 0 || a.Gid < rules.MinGid)
            return Refusal.Denied(Reasons.AccountGidBelowMin, $"user '{name}' has primary gid {a.Gid}, below accounts.min_gid {rules.MinGid}");
        Pass(trace, $"primary gid {a.Gid} >= min_gid {rules.MinGid}");

        // gid 0 among the supplementary groups is refused like uid 0: root-group-writable files are common.
        if (a.Groups.FirstOrDefault(g => g.Gid == 0) is { } rootGroup)
            return Refusal.Denied(Reasons.AccountGroup, $"user '{name}' is in group '{rootGroup.Display}' (gid 0), which is never allowed");
        if (rules.AllowGroups.Count > 0 || rules.DenyGroups.Count > 0)
        {
            if (GroupRules(name, a, rules, db) is { } refusal) return refusal;
            Pass(trace, rules.AllowGroups.Count > 0
                ? $"groups [{GroupList(a)}] include one of allow_groups and none of deny_groups (matched by gid)"
                : $"groups [{GroupList(a)}] include none of deny_groups (matched by gid; allow_groups is empty: no group restriction)");
        }
        else
            Pass(trace, $"groups [{GroupList(a)}]: allow_groups and deny_groups are empty, no group restriction");

        string shellBase = a.Shell[(a.Shell.LastIndexOf('/') + 1)..];
        if (a.Shell.Length == 0 || NoLoginShells.Contains(shellBase))
            return Refusal.Denied(Reasons.AccountShell, $"user '{name}' has shell '{a.Shell}', which marks an account that must not run jobs");
        if (rules.AllowedShells.Count > 0)
        {
            if (!rules.AllowedShells.Contains(a.Shell, StringComparer.Ordinal))
                return Refusal.Denied(Reasons.AccountShell, $"user '{name}' has shell '{a.Shell}', which is not in accounts.allowed_shells");
            Pass(trace, $"shell {a.Shell} is in allowed_shells");
        }
        else if (!db.SystemShells().Contains(a.Shell))
            return Refusal.Denied(Reasons.AccountShell, $"user '{name}' has shell '{a.Shell}', which is not listed in /etc/shells (or set accounts.allowed_shells)");
        else
            Pass(trace, $"shell {a.Shell} is listed in /etc/shells");

        switch (db.Shadow(name))
        {
            case ShadowState.Locked:
                return Refusal.Denied(Reasons.AccountLocked, $"user '{name}' is locked in /etc/shadow (usermod -L); unlock with usermod -U");
            case ShadowState.Expired:
                return Refusal.Denied(Reasons.AccountExpired, $"user '{name}' has expired in /etc/shadow (account expiry date passed; see chage -l)");
            case ShadowState.Usable:
                Pass(trace, "/etc/shadow: not locked, not expired");
                break;
            default:
                // Not readable (unprivileged validate) or no shadow entry (LDAP/SSSD users): the
                // directory service answers for those, and PAM account checks still apply at login.
                Pass(trace, "/etc/shadow: no entry readable, lock and expiry not checked");
                break;
        }
        return null;
    }

    private static void Pass(ITrace? trace, string check) => trace?.Line($"account: {check}");

    /// <summary>
    /// allow_groups and deny_groups, matched by gid over the primary and every supplementary
    /// group. Both sides are resolved first, and anything that does not resolve is a site error
    /// (account.lookup_failed), never a non-match: with NSS half down (LDAP unreachable) a group
    /// would come back nameless and a deny rule matching names would admit exactly the accounts
    /// it exists to stop; a configured name that does not exist is a typo that would do the same.
    /// </summary>
    private static Refusal? GroupRules(string name, Account a, AccountsConfig rules, IAccountDatabase db)
    {
        if (a.Groups.FirstOrDefault(g => g.Name is null) is { } nameless)
            return Refusal.SiteError(Reasons.AccountLookupFailed,
                $"user '{name}' is in gid {nameless.Gid}, which the group database cannot name (getgrgid); while accounts.allow_groups or deny_groups is set every group must resolve: fix the group database (NSS, LDAP/SSSD)");
        var resolvedDeny = ResolveGroups("deny_groups", rules.DenyGroups, db);
        if (!resolvedDeny.Ok) return resolvedDeny.Refusal;
        var resolvedAllow = ResolveGroups("allow_groups", rules.AllowGroups, db);
        if (!resolvedAllow.Ok) return resolvedAllow.Refusal;
        var (deny, allow) = (resolvedDeny.Value, resolvedAllow.Value);

        if (a.Groups.FirstOrDefault(g => deny.ContainsKey(g.Gid)) is { } denied)
            return Refusal.Denied(Reasons.AccountGroup, $"user '{name}' is in group '{denied.Display}' (gid {denied.Gid}), which accounts.deny_groups lists as '{deny[denied.Gid]}'");
        if (allow.Count > 0 && !a.Groups.Any(g => allow.ContainsKey(g.Gid)))
            return Refusal.Denied(Reasons.AccountGroup, $"user '{name}' is in none of accounts.allow_groups ({string.Join(", ", rules.AllowGroups)}); its groups are {GroupList(a)}");
        return null;
    }

    /// <summary>The configured names of one list by gid, or the site error for the first that does not resolve.</summary>
    private static Outcome<Dictionary<uint, string>> ResolveGroups(string list, List<string> names, IAccountDatabase db)
    {
        var gids = new Dictionary<uint, string>();
        for (int i = 0; i < names.Count; i++)
        {
            var lookup = db.LookupGroup(names[i]);
            if (lookup.Status != LookupStatus.Found)
                return Refusal.SiteError(Reasons.AccountLookupFailed, lookup.Status == LookupStatus.NotFound
                    ? $"accounts.{list}[{i}] names group '{names[i]}', which does not exist on this host (getgrnam); fix accounts.{list} or create the group"
                    : $"looking up group '{names[i]}' of accounts.{list}[{i}] failed: {lookup.Error}");
            gids.TryAdd(lookup.Gid, names[i]);
        }
        return Outcome.Of(gids);
    }

    internal static string GroupList(Account a) => string.Join(",", a.Groups.Select(g => g.Display));
}
