using Launcher.Core.Authorization;
using Launcher.Core.Paths;
using Launcher.Posix.Files;
using Launcher.Posix.Interop;
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

    /// <summary>0755: a shared parent every user of the template passes through, changed by root alone.</summary>
    private const UnixFileMode Shared = FileModes.OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// Makes <paramref name="path"/> a directory owned by <paramref name="uid"/>:<paramref name="gid"/>.
    /// Existing parents must be directories owned by root (not group/world-writable unless sticky)
    /// or by the user. Missing components are created: from the user's own part of the path on
    /// (<see cref="UserPath.PersonalFrom"/>) owned by the user, mode 0700; above it owned by root,
    /// mode 0755, because every user of the template shares them (<c>/shared/ci</c> of
    /// <c>/shared/ci/{user}</c>): made the first user's, they would let that user refuse, read
    /// or redirect every later user's directory. An existing final directory must already belong
    /// to the user; its mode is left as the user set it. The value says whether anything was created.
    /// </summary>
    public static Outcome<bool> Ensure(UserPath userPath, uint uid, uint gid)
    {
        string path = userPath.Path;
        if (CleanPath.Check(path) is { } unclean) return Refused($"'{path}' {unclean.Detail}");
        string[] components = userPath.Components;
        if (components.Length == 0) return Refused("refusing to hand '/' to a user");
        if (!userPath.IsPersonal(components.Length - 1)) return Refused($"'{path}' has no component of the user's own");

        int dir = Open(LibC.AT_FDCWD, "/");
        if (dir < 0) return Refused($"cannot open '/': {Errno.Message()}");
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
                    var (owner, group, mode) = userPath.IsPersonal(i) ? (uid, gid, Private) : (0u, 0u, Shared);
                    var made = Create(dir, components[i], owner, group, mode, sofar);
                    if (!made.Ok) return made.Refusal;
                    // -1: another launcher created it first; judge it like any existing one.
                    next = made.Value;
                    created = next >= 0;
                    if (!created) next = Open(dir, components[i]);
                }
                if (next < 0)
                {
                    int errno = Errno.Last;
                    return Refused(
                        errno == LibC.ELOOP ? $"{sofar} is a symbolic link; write the real path in the template (links are never followed)"
                        : errno == LibC.ENOTDIR ? $"{sofar} exists and is not a directory; remove it"
                        : $"cannot open {sofar}: {Errno.Message(errno)}");
                }
                LibC.close(dir);
                dir = next;

                var st = FileSystem.FStat(dir);
                if (!st.Ok) return Refused($"cannot stat {sofar}: {st.Refusal.Detail}");
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
                if ((st.Value.Permissions & FileModes.GroupOrOtherWrite) != 0 && (st.Value.Permissions & UnixFileMode.StickyBit) == 0)
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
    /// Creates <paramref name="name"/> in <paramref name="dirfd"/> already owned by
    /// <paramref name="uid"/>:<paramref name="gid"/> with <paramref name="mode"/>: made under a
    /// temporary name, given away on its descriptor, then renamed into place without replacing
    /// anything. A second launcher creating the same directory at the same time (two concurrent
    /// jobs) so never sees it half made. Returns the open directory, or -1 when the name appeared
    /// meanwhile (the caller opens it and judges it like any existing one).
    /// </summary>
    private static Outcome<int> Create(int dirfd, string name, uint uid, uint gid, UnixFileMode mode, string shown)
    {
        string temporary = $".{name}.ci-launcher-{Guid.NewGuid():N}";
        if (Mkdir(dirfd, temporary) != 0) return Refused($"cannot create {shown}: {Errno.Message()}");
        int fd = Open(dirfd, temporary);
        // Just made by this process; anything else at that name means someone raced us to it.
        if (fd < 0 || FileSystem.FStat(fd) is not { Ok: true } st || st.Value.Uid != LibC.geteuid())
        {
            if (fd >= 0) LibC.close(fd);
            return Refused($"{shown} could not be created safely (its temporary {temporary} was replaced); investigate");
        }
        if (!Ownership.Give(fd, uid, gid) || LibC.fchmod(fd, mode.Native()) != 0)
        {
            string why = Errno.Message();
            LibC.close(fd);
            Remove(dirfd, temporary);
            return Refused($"cannot give {shown} to uid {uid}: {why}");
        }
        byte[] from = CString.From(temporary), to = CString.From(name);
        int rc;
        fixed (byte* f = from)
        fixed (byte* t = to)
            rc = Glibc.renameat2(dirfd, f, dirfd, t, Glibc.RENAME_NOREPLACE);
        if (rc == 0) return Outcome.Of(fd);
        int errno = Errno.Last;
        LibC.close(fd);
        Remove(dirfd, temporary);
        if (errno == LibC.EEXIST) return Outcome.Of(-1);
        return Refused($"cannot create {shown}: {Errno.Message(errno)}");
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
