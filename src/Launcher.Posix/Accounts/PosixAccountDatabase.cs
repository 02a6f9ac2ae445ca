using Launcher.Core.Accounts;
using Launcher.Posix.Interop;
using Tmds.Linux;

namespace Launcher.Posix.Accounts;

/// <summary>The system user database through NSS (getpwnam_r, getgrouplist, getgrgid_r, getspnam_r).</summary>
public sealed unsafe class PosixAccountDatabase : IAccountDatabase
{
    private IReadOnlySet<string>? _shells;

    public AccountLookup Lookup(string name)
    {
        if (name.Length == 0 || name.Contains('\0')) return AccountLookup.NotFound;
        byte[] nameBytes = CString.From(name);
        Account? found = null;
        string? echoed = null;
        int rc = NssBuffer.Call((buffer, length) =>
        {
            Glibc.Passwd pwd;
            Glibc.Passwd* result = null;
            int rc;
            fixed (byte* n = nameBytes)
                rc = Glibc.getpwnam_r(n, &pwd, buffer, length, &result);
            if (rc != 0 || result is null) return rc;
            echoed = CString.Read(pwd.pw_name);
            found = new Account(name, pwd.pw_uid, pwd.pw_gid, CString.Read(pwd.pw_dir) ?? "", CString.Read(pwd.pw_shell) ?? "", []);
            return 0;
        });
        if (found is not null)
        {
            // NSS modules have returned entries for a different name than asked; trust only an exact echo.
            if (!string.Equals(echoed, name, StringComparison.Ordinal))
                return AccountLookup.Failed($"the user database returned '{echoed}' when asked for '{name}'");
            return GroupsOf(found, nameBytes);
        }
        if (IsNoSuchEntry(rc)) return AccountLookup.NotFound;
        return AccountLookup.Failed($"getpwnam_r failed with errno {rc}");
    }

    /// <summary>0 (with a null result), ENOENT, ESRCH, EBADF, EPERM all mean "no such entry" per getpwnam_r(3).</summary>
    private static bool IsNoSuchEntry(int rc) =>
        rc == 0 || rc == LibC.ENOENT || rc == LibC.ESRCH || rc == LibC.EBADF || rc == LibC.EPERM;

    private static AccountLookup GroupsOf(Account account, byte[] nameBytes)
    {
        if (GroupList(nameBytes, account.Gid) is not { } gids) return AccountLookup.Failed("getgrouplist failed");
        var groups = new List<GroupEntry>();
        // Primary group first, then the supplementary ones in the order NSS gave them, each once.
        foreach (uint gid in gids.Prepend(account.Gid).Distinct())
            groups.Add(new GroupEntry(gid, GroupName(gid)));
        return AccountLookup.Found(account with { Groups = groups });
    }

    /// <summary>
    /// The gids of a user's groups by the group database (getgrouplist: the primary gid and every
    /// group listing the user), without their names; null when it cannot be asked.
    /// </summary>
    public static uint[]? GroupIds(string name, uint primaryGid) =>
        name.Length == 0 || name.Contains('\0') ? null : GroupList(CString.From(name), primaryGid);

    private static uint[]? GroupList(byte[] nameBytes, uint primaryGid)
    {
        int count = 64;
        while (true)
        {
            var gids = new uint[count];
            int n = count;
            int rc;
            fixed (byte* user = nameBytes)
            fixed (uint* g = gids)
                rc = Glibc.getgrouplist(user, primaryGid, g, &n);
            if (rc >= 0) { Array.Resize(ref gids, n); return gids; }
            if (n <= count || n > 65536) return null;
            count = n;
        }
    }

    /// <summary>The name of a gid; null when the group database has none or cannot be asked (<see cref="GroupEntry.Name"/>).</summary>
    public static string? GroupName(uint gid)
    {
        string? name = null;
        NssBuffer.Call((buffer, length) =>
        {
            Glibc.Group grp;
            Glibc.Group* result = null;
            int rc = Glibc.getgrgid_r(gid, &grp, buffer, length, &result);
            if (rc == 0 && result is not null) name = CString.Read(grp.gr_name);
            return rc;
        });
        return name;
    }

    /// <summary>The gid of a group name, or null when there is no such group or it cannot be looked up.</summary>
    public static uint? GroupId(string name)
    {
        var lookup = ResolveGroup(name);
        return lookup.Status == LookupStatus.Found ? lookup.Gid : null;
    }

    public GroupLookup LookupGroup(string name) => ResolveGroup(name);

    private static GroupLookup ResolveGroup(string name)
    {
        if (name.Length == 0 || name.Contains('\0')) return GroupLookup.NotFound;
        byte[] nameBytes = CString.From(name);
        uint? gid = null;
        string? echoed = null;
        int rc = NssBuffer.Call((buffer, length) =>
        {
            Glibc.Group grp;
            Glibc.Group* result = null;
            int rc;
            fixed (byte* n = nameBytes)
                rc = Glibc.getgrnam_r(n, &grp, buffer, length, &result);
            if (rc != 0 || result is null) return rc;
            echoed = CString.Read(grp.gr_name);
            gid = grp.gr_gid;
            return 0;
        });
        if (gid is { } found)
        {
            // As for users: trust only an exact echo of the name asked for.
            return string.Equals(echoed, name, StringComparison.Ordinal)
                ? GroupLookup.Found(found)
                : GroupLookup.Failed($"the group database returned '{echoed}' when asked for '{name}'");
        }
        if (rc == LibC.ERANGE) return GroupLookup.Failed("getgrnam_r: the group entry is larger than 1 MiB");
        if (IsNoSuchEntry(rc)) return GroupLookup.NotFound;
        return GroupLookup.Failed($"getgrnam_r failed with errno {rc}");
    }

    /// <summary>The user name of a uid, or null.</summary>
    public static string? UserName(uint uid) => UserOf(uid)?.Name;

    /// <summary>The name and primary gid of a uid by the user database (getpwuid_r), or null.</summary>
    public static (string Name, uint Gid)? UserOf(uint uid)
    {
        (string, uint)? entry = null;
        NssBuffer.Call((buffer, length) =>
        {
            Glibc.Passwd pwd;
            Glibc.Passwd* result = null;
            int rc = Glibc.getpwuid_r(uid, &pwd, buffer, length, &result);
            if (rc == 0 && result is not null && CString.Read(pwd.pw_name) is { } name) entry = (name, pwd.pw_gid);
            return rc;
        });
        return entry;
    }

    public IReadOnlySet<string> SystemShells()
    {
        if (_shells is not null) return _shells;
        var shells = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines("/etc/shells"))
            {
                string t = line.Trim();
                if (t.StartsWith('/')) shells.Add(t);
            }
        }
        catch (IOException)
        {
            // No /etc/shells: no shell is "listed", so only accounts.allowed_shells can admit one.
        }
        return _shells = shells;
    }

    /// <summary>Lock and expiry from getspnam_r; the meaning of the fields is <see cref="ShadowEntry.State"/>.</summary>
    public ShadowState Shadow(string name)
    {
        byte[] nameBytes = CString.From(name);
        ShadowState state = ShadowState.Unknown;
        NssBuffer.Call((buffer, length) =>
        {
            Glibc.Spwd sp;
            Glibc.Spwd* result = null;
            int rc;
            fixed (byte* n = nameBytes)
                rc = Glibc.getspnam_r(n, &sp, buffer, length, &result);
            if (rc == 0 && result is not null)
            {
                long today = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 86400;
                state = ShadowEntry.State(CString.Read(sp.sp_pwdp) ?? "", sp.sp_expire, today);
            }
            return rc;
        });
        return state;
    }
}
