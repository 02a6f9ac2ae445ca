using System.Runtime.InteropServices;
using Launcher.Core.Authorization;
using Launcher.Core.Paths;
using Launcher.Posix.Files;
using Launcher.Posix.Interop;

namespace Launcher.Posix.Launch;

/// <summary>
/// Creates a job's per-user directory (launch.create_dirs, the executor's builds and cache
/// directories) as root, before the drop, without ever following a link: each component is
/// opened relative to the previous one with O_NOFOLLOW|O_DIRECTORY, and ownership and mode are
/// set on the open descriptor. Otherwise a user who can write anywhere along the path could
/// make root create or chown a directory of their choosing (Jacamar's root_dir_creation).
/// </summary>
public static unsafe class UserDirectories
{
    private const uint Private = 0x1C0; // 0700
    private const uint Sticky = 0x200;

    /// <summary>
    /// Makes <paramref name="path"/> a directory owned by <paramref name="uid"/>:<paramref name="gid"/>.
    /// Existing parents must be directories owned by root (not group/world-writable unless sticky)
    /// or by the user; missing components are created owned by the user, mode 0700. An existing
    /// final directory must already belong to the user; its mode is left as the user set it.
    /// </summary>
    public static Outcome<bool> Ensure(UserPath userPath, uint uid, uint gid)
    {
        string path = userPath.Path;
        if (CleanPath.Check(path) is { } unclean)
            return Refused($"'{path}' {unclean.Detail}");
        string[] components = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (components.Length == 0) return Refused("refusing to hand '/' to a user");

        int dir = Open(LibC.AT_FDCWD, "/");
        if (dir < 0) return Refused($"cannot open '/': {Errno()}");
        bool createdAny = false;
        string sofar = "";
        try
        {
            for (int i = 0; i < components.Length; i++)
            {
                bool last = i == components.Length - 1;
                sofar += "/" + components[i];
                bool created = false;
                int next = Open(dir, components[i]);
                if (next < 0 && Marshal.GetLastPInvokeError() == LibC.ENOENT)
                {
                    next = CreateOwned(dir, components[i], uid, gid, sofar, out string? problem);
                    if (problem is not null) return Refused(problem);
                    // -1 with no problem: another launcher created it first; judge it like any existing one.
                    created = next >= 0;
                    if (!created) next = Open(dir, components[i]);
                }
                if (next < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    return Refused(errno switch
                    {
                        LibC.ELOOP => $"{sofar} is a symbolic link; write the real path in the template (links are never followed)",
                        LibC.ENOTDIR => $"{sofar} exists and is not a directory; remove it",
                        _ => $"cannot open {sofar}: {Errno()}",
                    });
                }
                LibC.close(dir);
                dir = next;

                var st = FStat(dir);
                if (st is null) return Refused($"cannot stat {sofar}: {Errno()}");
                if (created)
                {
                    createdAny = true;
                    continue;
                }
                if (last)
                {
                    if (st.Value.Uid != uid)
                        return Refused($"{sofar} exists and belongs to uid {st.Value.Uid}, not the job's user (uid {uid}); chown it to the user or remove it");
                    continue;
                }
                if (st.Value.Uid == uid) continue;
                if (st.Value.Uid != 0)
                    return Refused($"{sofar} belongs to uid {st.Value.Uid}; every directory above a user directory must belong to root or the user");
                if ((st.Value.Permissions & 0x12) != 0 && (st.Value.Permissions & Sticky) == 0)
                    return Refused($"{sofar} has mode {st.Value.ModeOctal}, writable by group or others without the sticky bit (chmod go-w or +t)");
            }
        }
        finally
        {
            LibC.close(dir);
        }
        return Outcome.Of(createdAny);
    }

    private static Refusal Refused(string detail) => Refusal.SiteError(Reasons.LaunchDirectory, detail);

    /// <summary>
    /// Creates <paramref name="name"/> in <paramref name="dirfd"/> already owned by the user, mode
    /// 0700: made under a temporary name, given away on its descriptor, then renamed into place
    /// without replacing anything. A second launcher creating the same directory at the same time
    /// (two concurrent jobs of one user) so never sees it half made, owned by root. Returns the
    /// open directory; -1 with no problem when the name appeared meanwhile (the caller opens it).
    /// </summary>
    private static int CreateOwned(int dirfd, string name, uint uid, uint gid, string shown, out string? problem)
    {
        problem = null;
        string temporary = $".{name}.ci-launcher-{Guid.NewGuid():N}";
        if (Mkdir(dirfd, temporary) != 0)
        {
            problem = $"cannot create {shown}: {Errno()}";
            return -1;
        }
        int fd = Open(dirfd, temporary);
        var st = fd < 0 ? null : FStat(fd);
        // Just made by this process; anything else at that name means someone raced us to it.
        if (st is null || st.Value.Uid != LibC.geteuid())
        {
            problem = $"{shown} could not be created safely (its temporary {temporary} was replaced); investigate";
            if (fd >= 0) LibC.close(fd);
            return -1;
        }
        if (LibC.fchown(fd, uid, gid) != 0 || LibC.fchmod(fd, Private) != 0)
        {
            problem = $"cannot give {shown} to uid {uid}: {Errno()}";
            LibC.close(fd);
            Remove(dirfd, temporary);
            return -1;
        }
        byte[] from = FileSystem.Z(temporary), to = FileSystem.Z(name);
        int rc;
        fixed (byte* f = from)
        fixed (byte* t = to)
            rc = LibC.renameat2(dirfd, f, dirfd, t, LibC.RENAME_NOREPLACE);
        if (rc == 0) return fd;
        int errno = Marshal.GetLastPInvokeError();
        LibC.close(fd);
        Remove(dirfd, temporary);
        if (errno == LibC.EEXIST) return -1;
        problem = $"cannot create {shown}: {Marshal.GetPInvokeErrorMessage(errno)}";
        return -1;
    }

    private static void Remove(int dirfd, string name)
    {
        byte[] p = FileSystem.Z(name);
        fixed (byte* pp = p)
            LibC.unlinkat(dirfd, pp, LibC.AT_REMOVEDIR);
    }

    private static int Open(int dirfd, string name)
    {
        byte[] p = FileSystem.Z(name);
        fixed (byte* pp = p)
            return LibC.openat(dirfd, pp, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NOCTTY, 0);
    }

    private static int Mkdir(int dirfd, string name)
    {
        byte[] p = FileSystem.Z(name);
        fixed (byte* pp = p)
            return LibC.mkdirat(dirfd, pp, Private);
    }

    private static FileStatus? FStat(int fd)
    {
        LibC.Statx st;
        byte empty = 0;
        if (LibC.statx(fd, &empty, LibC.AT_EMPTY_PATH | LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, &st) != 0) return null;
        return new FileStatus(st.stx_mode, st.stx_uid, st.stx_gid, st.stx_ino,
            ((ulong)st.stx_dev_major << 32) | st.stx_dev_minor, st.stx_size, st.stx_mtime.tv_sec, st.stx_mtime.tv_nsec);
    }

    private static string Errno() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
}
