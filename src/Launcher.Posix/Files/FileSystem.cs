using Launcher.Posix.Interop;
using Tmds.Linux;

namespace Launcher.Posix.Files;

/// <summary>statx, the one way the tree examines a path or a descriptor.</summary>
public static unsafe class FileSystem
{
    /// <summary>statx without following a final symlink; null with errno text when the path cannot be examined.</summary>
    public static FileStatus? LStat(string path, out string? error) => StatAt(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, out error);

    public static FileStatus? Stat(string path, out string? error) => StatAt(LibC.AT_FDCWD, path, 0, out error);

    /// <summary>
    /// What an open descriptor refers to: the only status a check may rely on before reading the
    /// same descriptor. On null, <see cref="Errno.Last"/> is still statx's errno.
    /// </summary>
    public static FileStatus? FStat(int fd, out string? error)
    {
        statx st;
        byte empty = 0;
        if (LibC.statx(fd, &empty, LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, &st) != 0)
        {
            error = Errno.Message();
            return null;
        }
        error = null;
        return Status(st);
    }

    /// <summary>An entry of the directory <paramref name="dirfd"/>, never following a final symlink.</summary>
    public static FileStatus? LStatAt(int dirfd, string name, out string? error) => StatAt(dirfd, name, LibC.AT_SYMLINK_NOFOLLOW, out error);

    private static FileStatus? StatAt(int dirfd, string path, int flags, out string? error)
    {
        byte[] p = CString.From(path);
        statx st;
        fixed (byte* pp = p)
        {
            if (LibC.statx(dirfd, pp, flags, LibC.STATX_BASIC_STATS, &st) != 0)
            {
                error = Errno.Message();
                return null;
            }
        }
        error = null;
        return Status(st);
    }

    private static FileStatus Status(in statx st) =>
        new(st.stx_mode, st.stx_uid, st.stx_gid, st.stx_ino,
            ((ulong)st.stx_dev_major << 32) | st.stx_dev_minor, st.stx_size, st.stx_mtime.tv_sec, st.stx_mtime.tv_nsec, st.stx_nlink);
}
