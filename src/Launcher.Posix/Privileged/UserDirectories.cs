using Launcher.Core.Authorization;
using Launcher.Core.Launch;
using Launcher.Posix.Files;
using Launcher.Posix.Interop;
using Launcher.Posix.Launch;
using Launcher.Posix.Privileged;
using Tmds.Linux;

namespace Launcher.Posix.Privileged;

/// <summary>
/// Creates a job's per-user directory (launch.create_dirs, the executor's builds and cache
/// directories) as root, before the drop, without ever following a link: each component is
/// opened relative to the previous one with O_NOFOLLOW|O_DIRECTORY, and ownership and mode are
/// set on the open descriptor. Otherwise a user who can write anywhere along the path could
/// make root create or chown a directory of their choosing (Jacamar's root_dir_creation).
/// </summary>
public static unsafe class UserDirectories
{
    private const UnixFileMode Private = FileModes.OwnerOnly;

    /// <summary>
    /// Makes <paramref name="path"/> a directory owned by <paramref name="uid"/>:<paramref name="gid"/>.
    /// Existing parents must be directories owned by root (not group/world-writable unless sticky)
    /// or by the user; missing components are created owned by the user, mode 0700. An existing
    /// final directory must already belong to the user; its mode is left as the user set it.
    /// </summary>
    public static DirectoryOutcome Ensure(string path, uint uid, uint gid)
    {
        if (!path.StartsWith('/') || path.Contains('\0') || PathTemplate.CleanPathProblem(path) is not null)
            return DirectoryOutcome.Refused($"'{path}' is not a clean absolute path");
        string[] components = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (components.Length == 0) return DirectoryOutcome.Refused("refusing to hand '/' to a user");

        int dir = Open(LibC.AT_FDCWD, "/");
        if (dir < 0) return DirectoryOutcome.Refused($"cannot open '/': {Errno.Message()}");
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
                if (next < 0 && Errno.Last == LibC.ENOENT)
                {
                    next = CreateOwned(dir, components[i], uid, gid, sofar, out string? problem);
                    if (problem is not null) return DirectoryOutcome.Refused(problem);
                    // -1 with no problem: another launcher created it first; judge it like any existing one.
                    created = next >= 0;
                    if (!created) next = Open(dir, components[i]);
                }
                if (next < 0)
                {
                    int errno = Errno.Last;
                    return DirectoryOutcome.Refused(
                        errno == LibC.ELOOP ? $"{sofar} is a symbolic link; write the real path in the template (links are never followed)"
                        : errno == LibC.ENOTDIR ? $"{sofar} exists and is not a directory; remove it"
                        : $"cannot open {sofar}: {Errno.Message(errno)}");
                }
                LibC.close(dir);
                dir = next;

                var st = FileSystem.FStat(dir, out string? statError);
                if (st is null) return DirectoryOutcome.Refused($"cannot stat {sofar}: {statError}");
                if (created)
                {
                    createdAny = true;
                    continue;
                }
                if (last)
                {
                    if (st.Value.Uid != uid)
                        return DirectoryOutcome.Refused($"{sofar} exists and belongs to uid {st.Value.Uid}, not the job's user (uid {uid}); chown it to the user or remove it");
                    continue;
                }
                if (st.Value.Uid == uid) continue;
                if (st.Value.Uid != 0)
                    return DirectoryOutcome.Refused($"{sofar} belongs to uid {st.Value.Uid}; every directory above a user directory must belong to root or the user");
                if ((st.Value.Permissions & FileModes.GroupOrOtherWrite) != 0 && (st.Value.Permissions & UnixFileMode.StickyBit) == 0)
                    return DirectoryOutcome.Refused($"{sofar} has mode {st.Value.ModeOctal}, writable by group or others without the sticky bit (chmod go-w or +t)");
            }
        }
        finally
        {
            LibC.close(dir);
        }
        return new DirectoryOutcome(true, createdAny, Reasons.Ok, createdAny ? $"created {path}" : $"{path} exists");
    }

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
            problem = $"cannot create {shown}: {Errno.Message()}";
            return -1;
        }
        int fd = Open(dirfd, temporary);
        var st = fd < 0 ? null : FileSystem.FStat(fd, out _);
        // Just made by this process; anything else at that name means someone raced us to it.
        if (st is null || st.Value.Uid != LibC.geteuid())
        {
            problem = $"{shown} could not be created safely (its temporary {temporary} was replaced); investigate";
            if (fd >= 0) LibC.close(fd);
            return -1;
        }
        if (!Ownership.Give(fd, uid, gid) || LibC.fchmod(fd, Private.Native()) != 0)
        {
            problem = $"cannot give {shown} to uid {uid}: {Errno.Message()}";
            LibC.close(fd);
            Remove(dirfd, temporary);
            return -1;
        }
        byte[] from = CString.From(temporary), to = CString.From(name);
        int rc;
        fixed (byte* f = from)
        fixed (byte* t = to)
            rc = Glibc.renameat2(dirfd, f, dirfd, t, Glibc.RENAME_NOREPLACE);
        if (rc == 0) return fd;
        int errno = Errno.Last;
        LibC.close(fd);
        Remove(dirfd, temporary);
        if (errno == LibC.EEXIST) return -1;
        problem = $"cannot create {shown}: {Errno.Message(errno)}";
        return -1;
    }

    private static void Remove(int dirfd, string name)
    {
        byte[] p = CString.From(name);
        fixed (byte* pp = p)
            LibC.unlinkat(dirfd, pp, LibC.AT_REMOVEDIR);
    }

    private static int Open(int dirfd, string name)
    {
        byte[] p = CString.From(name);
        fixed (byte* pp = p)
            return LibC.openat(dirfd, pp, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NOCTTY, default);
    }

    private static int Mkdir(int dirfd, string name)
    {
        byte[] p = CString.From(name);
        fixed (byte* pp = p)
            return LibC.mkdirat(dirfd, pp, Private.Native());
    }
}
