using Launcher.Core.Authorization;
using Launcher.Core.Config;

namespace Launcher.Core.Accounts;

/// <summary>The outcome of the account checks: <see cref="Reasons.Ok"/> with the account, or the first refusal.</summary>
public sealed record AccountOutcome(string Reason, string Detail, Account? Account)
{
    public bool Allowed => Reason == Reasons.Ok;
    public bool IsSiteError => Reason == Reasons.AccountLookupFailed;
}

/// <summary>
/// Whether a mapped name may be run as. One resolver for every path (run, executor, PAM,
/// token issue): checks happen in a fixed order so the reason for a refusal is predictable.
/// </summary>
public static class AccountPolicy
{
    /// <summary>Shells that mean "this account must not run anything", whatever /etc/shells says.</summary>
    private static readonly string[] NoLoginShells = ["nologin", "false"];

    public static AccountOutcome Check(string name, AccountsConfig rules, IAccountDatabase db, ITrace? trace = null)
    {
        var outcome = Evaluate(name, rules, db, trace);
        trace?.Line(outcome.Allowed
            ? $"account: '{name}' uid {outcome.Account!.Uid} gid {outcome.Account.Gid} groups [{GroupList(outcome.Account)}] passes every check"
            : $"account: refused: {outcome.Reason}: {outcome.Detail}");
        return outcome;
    }

    private static AccountOutcome Evaluate(string name, AccountsConfig rules, IAccountDatabase db, ITrace? trace)
    {
        void Pass(string check) => trace?.Line($"account: {check}");

        // Name lists first: a deny_users entry must hold even if the user database is down.
        if (rules.DenyUsers.Contains(name, StringComparer.Ordinal))
            return new(Reasons.AccountDeniedUser, $"user '{name}' is in accounts.deny_users", null);
        if (rules.AllowUsers.Count > 0 && !rules.AllowUsers.Contains(name, StringComparer.Ordinal))
            return new(Reasons.AccountNotAllowedUser, $"user '{name}' is not in accounts.allow_users", null);
        Pass(rules.AllowUsers.Count > 0 ? $"'{name}' is in allow_users and not in deny_users" : $"'{name}' is not in deny_users (allow_users is empty: no user restriction)");

        var lookup = db.Lookup(name);
        if (lookup.Status == LookupStatus.NotFound)
            return new(Reasons.AccountNotFound, $"user '{name}' does not exist on this host (getpwnam)", null);
        if (lookup.Status == LookupStatus.Error)
            return new(Reasons.AccountLookupFailed, $"looking up user '{name}' failed: {lookup.Error}", null);
        var a = lookup.Account!;
        Pass($"'{name}' exists: uid {a.Uid}, gid {a.Gid}, home {a.Home}, shell {a.Shell}");

        if (a.Uid == 0 || a.Name == "root")
            return new(Reasons.AccountRoot, $"user '{name}' has uid 0; running jobs as root is never allowed", a);
        if (a.Uid < rules.MinUid)
            return new(Reasons.AccountUidBelowMin, $"user '{name}' has uid {a.Uid}, below accounts.min_uid {rules.MinUid}", a);
        Pass($"uid {a.Uid} >= min_uid {rules.MinUid}");
        if (a.Gid == 0 || a.Gid < rules.MinGid)
            return new(Reasons.AccountGidBelowMin, $"user '{name}' has primary gid {a.Gid}, below accounts.min_gid {rules.MinGid}", a);
        Pass($"primary gid {a.Gid} >= min_gid {rules.MinGid}");

        // gid 0 among the supplementary groups is refused like uid 0: root-group-writable files are common.
        if (a.Groups.FirstOrDefault(g => g.Gid == 0) is { } rootGroup)
            return new(Reasons.AccountGroup, $"user '{name}' is in group '{rootGroup.Display}' (gid 0), which is never allowed", a);
        if (rules.AllowGroups.Count > 0 || rules.DenyGroups.Count > 0)
        {
            if (GroupRules(name, a, rules, db) is { } refusal) return refusal;
            Pass(rules.AllowGroups.Count > 0
                ? $"groups [{GroupList(a)}] include one of allow_groups and none of deny_groups (matched by gid)"
                : $"groups [{GroupList(a)}] include none of deny_groups (matched by gid; allow_groups is empty: no group restriction)");
        }
        else
            Pass($"groups [{GroupList(a)}]: allow_groups and deny_groups are empty, no group restriction");

        string shellBase = a.Shell[(a.Shell.LastIndexOf('/') + 1)..];
        if (a.Shell.Length == 0 || NoLoginShells.Contains(shellBase))
            return new(Reasons.AccountShell, $"user '{name}' has shell '{a.Shell}', which marks an account that must not run jobs", a);
        if (rules.AllowedShells.Count > 0)
        {
            if (!rules.AllowedShells.Contains(a.Shell, StringComparer.Ordinal))
                return new(Reasons.AccountShell, $"user '{name}' has shell '{a.Shell}', which is not in accounts.allowed_shells", a);
            Pass($"shell {a.Shell} is in allowed_shells");
        }
        else if (!db.SystemShells().Contains(a.Shell))
            return new(Reasons.AccountShell, $"user '{name}' has shell '{a.Shell}', which is not listed in /etc/shells (or set accounts.allowed_shells)", a);
        else
            Pass($"shell {a.Shell} is listed in /etc/shells");

        switch (db.Shadow(name))
        {
            case ShadowState.Locked:
                return new(Reasons.AccountLocked, $"user '{name}' is locked in /etc/shadow (usermod -L); unlock with usermod -U", a);
            case ShadowState.Expired:
                return new(Reasons.AccountExpired, $"user '{name}' has expired in /etc/shadow (account expiry date passed; see chage -l)", a);
            case ShadowState.Usable:
                Pass("/etc/shadow: not locked, not expired");
                break;
            default:
                // Not readable (unprivileged validate) or no shadow entry (LDAP/SSSD users): the
                // directory service answers for those, and PAM account checks still apply at login.
                Pass("/etc/shadow: no entry readable, lock and expiry not checked");
                break;
        }
        return new(Reasons.Ok, "", a);
    }

    /// <summary>
    /// allow_groups and deny_groups, matched by gid over the primary and every supplementary
    /// group. Both sides are resolved first, and anything that does not resolve is a site error
    /// (account.lookup_failed), never a non-match: with NSS half down (LDAP unreachable) a group
    /// would come back nameless and a deny rule matching names would admit exactly the accounts
    /// it exists to stop; a configured name that does not exist is a typo that would do the same.
    /// </summary>
    private static AccountOutcome? GroupRules(string name, Account a, AccountsConfig rules, IAccountDatabase db)
    {
        if (a.Groups.FirstOrDefault(g => g.Name is null) is { } nameless)
            return new(Reasons.AccountLookupFailed,
                $"user '{name}' is in gid {nameless.Gid}, which the group database cannot name (getgrgid); while accounts.allow_groups or deny_groups is set every group must resolve: fix the group database (NSS, LDAP/SSSD)", a);
        var deny = ResolveGroups("deny_groups", rules.DenyGroups, db, a, out var failure);
        if (deny is null) return failure;
        var allow = ResolveGroups("allow_groups", rules.AllowGroups, db, a, out failure);
        if (allow is null) return failure;

        if (a.Groups.FirstOrDefault(g => deny.ContainsKey(g.Gid)) is { } denied)
            return new(Reasons.AccountGroup, $"user '{name}' is in group '{denied.Display}' (gid {denied.Gid}), which accounts.deny_groups lists as '{deny[denied.Gid]}'", a);
        if (allow.Count > 0 && !a.Groups.Any(g => allow.ContainsKey(g.Gid)))
            return new(Reasons.AccountGroup, $"user '{name}' is in none of accounts.allow_groups ({string.Join(", ", rules.AllowGroups)}); its groups are {GroupList(a)}", a);
        return null;
    }

    /// <summary>The configured names of one list by gid, or null with the site error for the first that does not resolve.</summary>
    private static Dictionary<uint, string>? ResolveGroups(string list, List<string> names, IAccountDatabase db, Account a, out AccountOutcome? failure)
    {
        var gids = new Dictionary<uint, string>();
        for (int i = 0; i < names.Count; i++)
        {
            var lookup = db.LookupGroup(names[i]);
            if (lookup.Status != LookupStatus.Found)
            {
                failure = new(Reasons.AccountLookupFailed, lookup.Status == LookupStatus.NotFound
                    ? $"accounts.{list}[{i}] names group '{names[i]}', which does not exist on this host (getgrnam); fix accounts.{list} or create the group"
                    : $"looking up group '{names[i]}' of accounts.{list}[{i}] failed: {lookup.Error}", a);
                return null;
            }
            gids.TryAdd(lookup.Gid, names[i]);
        }
        failure = null;
        return gids;
    }

    private static string GroupList(Account a) => string.Join(",", a.Groups.Select(g => g.Display));
}
