using System.Runtime.InteropServices;
using Launcher.Posix.Files;
using Launcher.Posix.Interop;
using Microsoft.Win32.SafeHandles;

namespace Launcher.Posix.Executor;

/// <summary>
/// Files whose paths the runner (our caller) chooses: the stage script, JOB_RESPONSE_FILE and
/// BUILD_EXIT_CODE_FILE. Run set-uid, ci-launcher could otherwise read or overwrite any file on
/// the caller's behalf, so they are opened with the caller's file-system identity (setfsuid on
/// this thread only), never through a symlink, and must belong to the caller.
/// </summary>
public static unsafe class CallerFile
{
    /// <summary>
    /// The contents of <paramref name="path"/>: a regular file owned by the caller's uid, not a
    /// symlink, at most <paramref name="maxBytes"/>. Null with what was wrong.
    /// </summary>
    public static byte[]? ReadOwned(string path, long maxBytes, out string? error)
    {
        uint caller = ProcessIdentity.RealUid;
        if (!path.StartsWith('/')) { error = $"{path} is not an absolute path"; return null; }
        var st = FileSystem.LStat(path, out error);
        if (st is null) { error = $"cannot examine {path}: {error}"; return null; }
        if (st.Value.IsSymlink) { error = $"{path} is a symbolic link; it must be the runner's own regular file"; return null; }
        if (!st.Value.IsRegular) { error = $"{path} is not a regular file"; return null; }
        if (st.Value.Uid != caller) { error = $"{path} is owned by uid {st.Value.Uid}, not by the runner (uid {caller})"; return null; }

        int fd = OpenAsCaller(path, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NONBLOCK | LibC.O_NOCTTY, 0, out error);
        if (fd < 0) return null;
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        // The path may have been swapped between lstat and open: what was opened must be what was checked.
        var opened = FStat(fd, out error);
        if (opened is null) return null;
        if (opened.Value.Inode != st.Value.Inode || opened.Value.Device != st.Value.Device || opened.Value.Uid != caller || !opened.Value.IsRegular)
        {
            error = $"{path} changed while it was being opened";
            return null;
        }
        if ((long)opened.Value.Size > maxBytes)
        {
            error = $"{path} is {opened.Value.Size} bytes, more than the {maxBytes} allowed";
            return null;
        }
        try
        {
            using var stream = new FileStream(handle, FileAccess.Read, 1);
            var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            if (buffer.Length > maxBytes) { error = $"{path} grew beyond {maxBytes} bytes while being read"; return null; }
            error = null;
            return buffer.ToArray();
        }
        catch (IOException e)
        {
            error = $"cannot read {path}: {e.Message}";
            return null;
        }
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> as the caller (created 0644 or truncated; never through a symlink).</summary>
    public static bool WriteAsCaller(string path, string text, out string? error)
    {
        if (!path.StartsWith('/')) { error = $"{path} is not an absolute path"; return false; }
        int fd = OpenAsCaller(path, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NOCTTY, 0x1A4, out error);
        if (fd < 0) return false;
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        var opened = FStat(fd, out error);
        if (opened is null) return false;
        if (!opened.Value.IsRegular) { error = $"{path} is not a regular file"; return false; }
        try
        {
            using var stream = new FileStream(handle, FileAccess.Write, 1);
            stream.Write(System.Text.Encoding.ASCII.GetBytes(text));
            error = null;
            return true;
        }
        catch (IOException e)
        {
            error = $"cannot write {path}: {e.Message}";
            return false;
        }
    }

    private static int OpenAsCaller(string path, int flags, uint mode, out string? error)
    {
        byte[] p = FileSystem.Z(path);
        uint euid = LibC.geteuid(), egid = LibC.getegid();
        int fd, errno;
        // Per thread: only this open runs with the caller's file access (as CallerFiles does for --token-file).
        LibC.setfsgid(LibC.getgid());
        LibC.setfsuid(LibC.getuid());
        fixed (byte* pp = p)
        {
            fd = LibC.openat(LibC.AT_FDCWD, pp, flags, mode);
            errno = Marshal.GetLastPInvokeError();
        }
        LibC.setfsuid(euid);
        LibC.setfsgid(egid);
        if ((uint)LibC.setfsuid(uint.MaxValue) != euid || (uint)LibC.setfsgid(uint.MaxValue) != egid)
            Environment.FailFast("ci-launcher: could not restore the filesystem ids after opening a runner's file");
        error = fd < 0 ? $"cannot open {path} as uid {LibC.getuid()}: {Marshal.GetPInvokeErrorMessage(errno)}" : null;
        return fd;
    }

    internal static FileStatus? FStat(int fd, out string? error)
    {
        LibC.Statx st;
        byte empty = 0;
        if (LibC.statx(fd, &empty, LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, &st) != 0)
        {
            error = $"cannot examine an open file: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}";
            return null;
        }
        error = null;
        return new FileStatus(st.stx_mode, st.stx_uid, st.stx_gid, st.stx_ino,
            ((ulong)st.stx_dev_major << 32) | st.stx_dev_minor, st.stx_size, st.stx_mtime.tv_sec, st.stx_mtime.tv_nsec);
    }
}
