namespace Launcher.Core.Accounts;

/// <summary>
/// The user database. Launcher.Posix implements it with getpwnam_r/getgrouplist; unit tests use
/// fixture passwd/group data. Core never touches the system directly.
/// </summary>
public interface IAccountDatabase
{
    AccountLookup Lookup(string name);

    /// <summary>The gid of a group name (accounts.allow_groups / deny_groups are matched by gid).</summary>
    GroupLookup LookupGroup(string name);

    /// <summary>Login shells listed in /etc/shells.</summary>
    IReadOnlySet<string> SystemShells();

    ShadowState Shadow(string name);
}
