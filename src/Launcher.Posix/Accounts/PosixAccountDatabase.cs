using System.Text;
using Launcher.Core.Accounts;
using Launcher.Posix.Interop;

namespace Launcher.Posix.Accounts;

/// <summary>The system user database through NSS (getpwnam_r, getgrouplist, getgrgid_r, getspnam_r).</summary>
public sealed unsafe class PosixAccountDatabase : IAccountDatabase
{
    private const int MaxBuffer = 1 << 20;
    private IReadOnlySet<string>? _shells;

    public AccountLookup Lookup(string name)
    {
        if (name.Length == 0 || name.Contains('\0')) return AccountLookup.NotFound;
        byte[] nameBytes = NullTerminated(name);
        LibC.Passwd pwd;
        LibC.Passwd* result = null;
        for (int size = 1024; ; size *= 2)
        {
            byte[] buffer = new byte[size];
            int rc;
            fixed (byte* n = nameBytes)
            fixed (byte* b = buffer)
            {
                rc = LibC.getpwnam_r(n, &pwd, b, (nuint)buffer.Length, &result);
                if (rc == 0 && result is not null)
                {
                    string? pwName = LibC.Str(pwd.pw_name);
                    // NSS modules have returned entries for a different name than asked; trust only an exact echo.
                    if (!string.Equals(pwName, name, StringComparison.Ordinal))
                        return AccountLookup.Failed($"the user database returned '{pwName}' when asked for '{name}'");
                    var account = new Account(name, pwd.pw_uid, pwd.pw_gid, LibC.Str(pwd.pw_dir) ?? "", LibC.Str(pwd.pw_shell) ?? "", []);
                    return GroupsOf(account, nameBytes);
                }
            }
            if (rc == LibC.ERANGE && size < MaxBuffer) continue;
            // 0 with a null result, ENOENT, ESRCH, EBADF, EPERM all mean "no such user" per getpwnam_r(3).
            if (rc is 0 or 2 or 3 or 9 or 1) return AccountLookup.NotFound;
            return AccountLookup.Failed($"getpwnam_r failed with errno {rc}");
        }
    }

    private static AccountLookup GroupsOf(Account account, byte[] nameBytes)
    {
        int count = 64;
        uint[] gids;
        while (true)
        {
            gids = new uint[count];
            int n = count;
            int rc;
            fixed (byte* user = nameBytes)
            fixed (uint* g = gids)
                rc = LibC.getgrouplist(user, account.Gid, g, &n);
            if (rc >= 0) { Array.Resize(ref gids, n); break; }
            if (n <= count || n > 65536) return AccountLookup.Failed("getgrouplist failed");
            count = n;
        }
        var groups = new List<GroupEntry>();
        // Primary group first, then the supplementary ones in the order NSS gave them, each once.
        foreach (uint gid in gids.Prepend(account.Gid).Distinct())
            groups.Add(new GroupEntry(gid, GroupName(gid)));
        return AccountLookup.Found(account with { Groups = groups });
    }

    /// <summary>The name of a gid; null when the group database has none or cannot be asked (<see cref="GroupEntry.Name"/>).</summary>
    public static string? GroupName(uint gid)
    {
        LibC.Group grp;
        LibC.Group* result = null;
        for (int size = 1024; size <= MaxBuffer; size *= 2)
        {
            byte[] buffer = new byte[size];
            fixed (byte* b = buffer)
            {
                int rc = LibC.getgrgid_r(gid, &grp, b, (nuint)buffer.Length, &result);
                if (rc == 0) return result is null ? null : LibC.Str(grp.gr_name);
                if (rc != LibC.ERANGE) return null;
            }
        }
        return null;
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
        byte[] nameBytes = NullTerminated(name);
        LibC.Group grp;
        LibC.Group* result = null;
        for (int size = 1024; size <= MaxBuffer; size *= 2)
        {
            byte[] buffer = new byte[size];
            fixed (byte* n = nameBytes)
            fixed (byte* b = buffer)
            {
                int rc = LibC.getgrnam_r(n, &grp, b, (nuint)buffer.Length, &result);
                if (rc == LibC.ERANGE) continue;
                if (rc == 0 && result is not null)
                {
                    // As for users: trust only an exact echo of the name asked for.
                    string? grName = LibC.Str(grp.gr_name);
                    return string.Equals(grName, name, StringComparison.Ordinal)
                        ? GroupLookup.Found(grp.gr_gid)
                        : GroupLookup.Failed($"the group database returned '{grName}' when asked for '{name}'");
                }
                // 0 with a null result, ENOENT, ESRCH, EBADF, EPERM all mean "no such group" per getgrnam_r(3).
                if (rc is 0 or 2 or 3 or 9 or 1) return GroupLookup.NotFound;
                return GroupLookup.Failed($"getgrnam_r failed with errno {rc}");
            }
        }
        return GroupLookup.Failed("getgrnam_r: the group entry is larger than 1 MiB");
    }

    /// <summary>The user name of a uid, or null.</summary>
    public static string? UserName(uint uid)
    {
        LibC.Passwd pwd;
        LibC.Passwd* result = null;
        for (int size = 1024; size <= MaxBuffer; size *= 2)
        {
            byte[] buffer = new byte[size];
            fixed (byte* b = buffer)
            {
                int rc = LibC.getpwuid_r(uid, &pwd, b, (nuint)buffer.Length, &result);
                if (rc == 0) return result is null ? null : LibC.Str(pwd.pw_name);
                if (rc != LibC.ERANGE) return null;
            }
        }
        return null;
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
        byte[] nameBytes = NullTerminated(name);
        LibC.Spwd sp;
        LibC.Spwd* result = null;
        for (int size = 1024; size <= MaxBuffer; size *= 2)
        {
            byte[] buffer = new byte[size];
            fixed (byte* n = nameBytes)
            fixed (byte* b = buffer)
            {
                int rc = LibC.getspnam_r(n, &sp, b, (nuint)buffer.Length, &result);
                if (rc == LibC.ERANGE) continue;
                if (rc != 0 || result is null) return ShadowState.Unknown;
                long today = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 86400;
                return ShadowEntry.State(LibC.Str(sp.sp_pwdp) ?? "", sp.sp_expire, today);
            }
        }
        return ShadowState.Unknown;
    }

    private static byte[] NullTerminated(string s)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }
}
