using Launcher.Core.Authorization;
using Launcher.Posix.Interop;
using Tmds.Linux;

namespace Launcher.Posix.Files;

/// <summary>statx, the one way the tree examines a path or a descriptor.</summary>
public static unsafe class FileSystem
{
    /// <summary>statx without following a final symlink; the errno text when the path cannot be examined.</summary>
    public static Outcome<FileStatus> LStat(string path) => StatAt(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW);

    public static Outcome<FileStatus> Stat(string path) => StatAt(LibC.AT_FDCWD, path, 0);

    /// <summary>
    /// What an open descriptor refers to: the only status a check may rely on before reading the
    /// same descriptor. On a refusal, <see cref="Errno.Last"/> is still statx's errno.
    /// </summary>
    public static Outcome<FileStatus> FStat(int fd)
    {
        statx st;
        byte empty = 0;
        if (LibC.statx(fd, &empty, LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, &st) != 0)
            return Refusal.Unlabelled(Errno.Message());
        return Outcome.Of(Status(st));
    }

    /// <summary>An entry of the directory <paramref name="dirfd"/>, never following a final symlink.</summary>
    public static Outcome<FileStatus> LStatAt(int dirfd, string name) => StatAt(dirfd, name, LibC.AT_SYMLINK_NOFOLLOW);

    private static Outcome<FileStatus> StatAt(int dirfd, string path, int flags)
    {
        byte[] p = CString.From(path);
        statx st;
        fixed (byte* pp = p)
        {
            if (LibC.statx(dirfd, pp, flags, LibC.STATX_BASIC_STATS, &st) != 0)
                return Refusal.Unlabelled(Errno.Message());
        }
        return Outcome.Of(Status(st));
    }

    private static FileStatus Status(in statx st) =>
        new(st.stx_mode, st.stx_uid, st.stx_gid, st.stx_ino,
            ((ulong)st.stx_dev_major << 32) | st.stx_dev_minor, st.stx_size, st.stx_mtime.tv_sec, st.stx_mtime.tv_nsec, st.stx_nlink);
}
