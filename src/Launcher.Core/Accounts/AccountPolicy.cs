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
            ? $"account: '{name}' uid {outcome.Account!.Uid} gid {outcome.Account.Gid} groups [{string.Join(",", outcome.Account.Groups.Select(g => g.Name))}] passes every check"
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

        // Group membership by name, over the primary and every supplementary group. gid 0 as a
        // supplementary group is refused like uid 0: root-group-writable files are common.
        if (a.Groups.FirstOrDefault(g => g.Gid == 0) is { } rootGroup)
            return new(Reasons.AccountGroup, $"user '{name}' is in group '{rootGroup.Name}' (gid 0), which is never allowed", a);
        var groupNames = a.Groups.Select(g => g.Name).ToList();
        var denied = groupNames.FirstOrDefault(g => rules.DenyGroups.Contains(g, StringComparer.Ordinal));
        if (denied is not null)
            return new(Reasons.AccountGroup, $"user '{name}' is in group '{denied}', which accounts.deny_groups lists", a);
        if (rules.AllowGroups.Count > 0 && !groupNames.Any(g => rules.AllowGroups.Contains(g, StringComparer.Ordinal)))
            return new(Reasons.AccountGroup, $"user '{name}' is in none of accounts.allow_groups ({string.Join(", ", rules.AllowGroups)}); its groups are {string.Join(", ", groupNames)}", a);
        Pass(rules.AllowGroups.Count > 0
            ? $"groups [{string.Join(",", groupNames)}] include one of allow_groups and none of deny_groups"
            : $"groups [{string.Join(",", groupNames)}] include none of deny_groups (allow_groups is empty: no group restriction)");

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
}
