using Launcher.Core.Accounts;
using Launcher.Posix.Accounts;

namespace Launcher.Posix.Launch;

/// <summary>
/// Whether the real uid (the caller of ci-launcher-suid) is in launch.caller_group by the user
/// database. The wrapper's 4750 mode already kept others out; this re-check also catches a
/// caller removed from the group whose session still carries it, and a wrapper installed with
/// the wrong mode.
/// </summary>
public static class CallerGroup
{
    /// <summary>Null when the caller is a member; otherwise why not, naming the fix.</summary>
    public static string? Problem(uint callerUid, string group)
    {
        uint? gid = PosixAccountDatabase.GroupId(group);
        if (gid is null)
            return $"launch.caller_group '{group}' does not exist; create it (groupadd {group}) and add the runner account";
        string? name = PosixAccountDatabase.UserName(callerUid);
        if (name is null)
            return $"caller uid {callerUid} has no user database entry";
        var lookup = new PosixAccountDatabase().Lookup(name);
        if (lookup.Status != LookupStatus.Found)
            return $"cannot resolve the groups of caller '{name}': {lookup.Error ?? "not found"}";
        if (lookup.Account!.Gid == gid || lookup.Account.Groups.Any(g => g.Gid == gid))
            return null;
        return $"caller '{name}' (uid {callerUid}) is not a member of launch.caller_group '{group}'; add it (usermod -aG {group} {name}) or use another account";
    }
}
