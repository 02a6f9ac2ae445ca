using Launcher.Core.Accounts;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Launch;
using Launcher.Core.Policy;
using Launcher.Posix.Accounts;
using Launcher.Posix.Files;

namespace Launcher.Posix.Privileged;

/// <summary>
/// The one gate in front of root's power: what the caller of this process may have done with it.
/// Every check answers null (go on) or a <see cref="Refusal"/> to print and audit, with its reason code:
/// site administration needs root at a root shell; some commands read the site's files with
/// root's rights and are for root only through ci-launcher-suid; a set-id caller gets the
/// installation's config, never one it names; a launch needs a caller in launch.caller_group,
/// the means to reach the mapped account (launch.downscope) and a trusted launch.shell.
/// </summary>
public static class CallerGate
{
    /// <summary>
    /// Set-id on behalf of someone other than root: a caller of ci-launcher-suid. Such a caller
    /// chooses no file root trusts and sees no content of one.
    /// </summary>
    public static bool CallerIsUnprivileged => ProcessIdentity.IsSetId && ProcessIdentity.RealUid != 0;

    /// <summary>Site administration (keys, jwks export): root at a root shell, never a caller of ci-launcher-suid.</summary>
    public static Refusal? CheckAdmin(string command)
    {
        if (ProcessIdentity.RealUid == 0 && !ProcessIdentity.IsSetId) return null;
        return Refusal.Denied(Reasons.AdminRootOnly, $"{command} must be run by root (real uid 0, not through ci-launcher-suid); the site keys are root-only");
    }

    /// <summary>Commands that read the site's files with root's rights (check-config, explain, jwks refresh): through ci-launcher-suid, root only.</summary>
    public static Refusal? CheckRootOnly(string command)
    {
        if (!CallerIsUnprivileged) return null;
        return Refusal.Denied(Reasons.AdminRootOnly,
            $"'{command}' through ci-launcher-suid is for root only: it reads the site's files with root's rights; run it as root, or use 'validate --json' for your own decision");
    }

    /// <summary>
    /// A set-id caller always gets <paramref name="defaultPath"/>: whichever root-owned file it
    /// named instead (an example, a test config, a file in a directory the caller can rename)
    /// would be trusted as the site's policy.
    /// </summary>
    public static Refusal? CheckConfigChoice(string? configPath, string defaultPath)
    {
        if (!CallerIsUnprivileged || configPath is null || configPath == defaultPath) return null;
        return Refusal.Denied(Reasons.ConfigCallerChosen,
            $"--config {PolicyEngine.Printable(configPath)} cannot be chosen through ci-launcher-suid; callers always get {defaultPath} (drop --config)");
    }

    /// <summary>Before the token is even read: may this caller use the launch path at all.</summary>
    public static Refusal? CheckCaller(LaunchSettings launch)
    {
        uint caller = ProcessIdentity.RealUid;
        // Through ci-launcher-suid: the caller is the real uid and must be in the caller group.
        if (ProcessIdentity.IsSetId && caller != 0 && CallerGroupProblem(caller, launch.CallerGroup) is { } problem)
            return Refusal.Denied(Reasons.LaunchCallerNotInGroup, problem);
        if (launch.Downscope == Downscope.Setuid && ProcessIdentity.EffectiveUid != 0)
            return Refusal.Denied(Reasons.LaunchNotPrivileged,
                $"changing to the mapped account needs root: start jobs through ci-launcher-suid (installed 4750 root:{launch.CallerGroup}) or as root, or set launch.downscope: none to run each job as its caller");
        return null;
    }

    /// <summary>
    /// After the decision: null when the allowed decision can be carried out; <paramref name="changeIdentity"/>
    /// says whether the child drops root. downscope none never changes identity for real: the mapped
    /// account must be the caller, and a set-id process only returns to the caller's own ids.
    /// </summary>
    public static Refusal? CheckAccount(LaunchSettings launch, Decision decision, out bool changeIdentity)
    {
        Account account = decision.Account!;
        uint caller = ProcessIdentity.RealUid;
        changeIdentity = ProcessIdentity.EffectiveUid == 0;
        if (launch.Downscope == Downscope.None && account.Uid != caller)
            return Refusal.Denied(Reasons.LaunchDownscopeMismatch,
                $"launch.downscope is none, so a job can only run as its caller (uid {caller}), but the token maps to '{account.Name}' (uid {account.Uid}); use downscope: setuid or map the token to the caller");
        if (ProcessIdentity.IsPrivileged && TrustedFile.Check(launch.Shell) is { } untrusted)
            return untrusted.AsSiteError(Reasons.LaunchShellUntrusted).In("launch.shell");
        return null;
    }

    /// <summary>
    /// Whether the real uid (the caller of ci-launcher-suid) is in launch.caller_group by the user
    /// database. The wrapper's 4750 mode already kept others out; this re-check also catches a
    /// caller removed from the group whose session still carries it, and a wrapper installed with
    /// the wrong mode. Null when the caller is a member; otherwise why not, naming the fix.
    /// </summary>
    private static string? CallerGroupProblem(uint callerUid, string group)
    {
        uint? gid = PosixAccountDatabase.GroupId(group);
        if (gid is null)
            return $"launch.caller_group '{group}' does not exist; create it (groupadd {group}) and add the runner account";
        // By uid, and gids only: membership needs no group names (one getgrgid each) and no second
        // look-up of the user by name.
        if (PosixAccountDatabase.UserOf(callerUid) is not (string name, uint primaryGid))
            return $"caller uid {callerUid} has no user database entry";
        if (PosixAccountDatabase.GroupIds(name, primaryGid) is not { } gids)
            return $"cannot resolve the groups of caller '{name}': getgrouplist failed";
        if (primaryGid == gid || gids.Contains(gid.Value)) return null;
        return $"caller '{name}' (uid {callerUid}) is not a member of launch.caller_group '{group}'; add it (usermod -aG {group} {name}) or use another account";
    }
}
