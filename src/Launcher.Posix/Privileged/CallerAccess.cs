using Launcher.Core.Authorization;
using Launcher.Posix.Files;
using Launcher.Posix.Interop;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Launcher.Posix.Privileged;

/// <summary>
/// Every path the caller chose (--token-file, JOB_RESPONSE_FILE, a stage script,
/// BUILD_EXIT_CODE_FILE) is opened here, and only here, with the caller's file-system identity:
/// setfsuid/setfsgid to the real ids on this thread for the one open, then back, verified. Root
/// therefore reads and writes nothing the caller could not, and the answer to "does it exist in a
/// directory I cannot search" is the caller's own EACCES, the same as for a missing file there
/// (OpenSSH's temporarily_use_uid() around every read of a user's file). Everything after the
/// open is judged on the descriptor.
/// </summary>
public static unsafe class CallerAccess
{
    /// <summary>0644: what <see cref="WriteText"/> creates (the caller's own file, e.g. BUILD_EXIT_CODE_FILE).</summary>
    private const UnixFileMode Created = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>
    /// A regular file the caller can read, open for reading (symlinks the caller could follow are
    /// followed: they lead nowhere the caller could not go); or the caller's own error.
    /// </summary>
    public static Outcome<FileStream> OpenRead(string path)
    {
        var opened = Open(path, LibC.O_RDONLY | LibC.O_NONBLOCK, default);
        if (!opened.Ok) return opened.Refusal;
        var handle = opened.Value;
        if (FileSystem.FStat((int)handle.DangerousGetHandle()) is not { Ok: true, Value.IsRegular: true })
        {
            handle.Dispose();
            return Refusal.Unlabelled($"{path} is not a regular file");
        }
        return Outcome.Of(new FileStream(handle, FileAccess.Read, 1));
    }

    /// <summary>
    /// The contents of the caller's own regular file (not a symlink, owned by the real uid): the
    /// runner's JOB_RESPONSE_FILE and stage scripts, which must be what the runner wrote.
    /// </summary>
    public static Outcome<byte[]> ReadOwned(string path, long maxBytes)
    {
        if (!path.StartsWith('/')) return Refusal.Unlabelled($"{path} is not an absolute path");
        var opened = Open(path, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK, default);
        if (!opened.Ok) return opened.Refusal;
        using var handle = opened.Value;
        if (CheckOwnedRegular(handle, path) is { } notOwned) return notOwned;
        return TrustedFile.ReadAll(handle, path, maxBytes);
    }

    /// <summary>
    /// Null when <paramref name="handle"/> is a regular file owned by the real uid (the runner). A
    /// path the caller names may be anything its rights reach, /proc/self included, which names
    /// this set-id process, whose files are root's.
    /// </summary>
    private static Refusal? CheckOwnedRegular(SafeFileHandle handle, string path)
    {
        var st = FileSystem.FStat((int)handle.DangerousGetHandle());
        if (!st.Ok) return st.Refusal.In($"cannot examine {path}");
        uint caller = LibC.getuid();
        if (!st.Value.IsRegular) return Refusal.Unlabelled($"{path} is not a regular file");
        if (st.Value.Uid != caller) return Refusal.Unlabelled($"{path} is owned by uid {st.Value.Uid}, not by the runner (uid {caller})");
        return null;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> as the caller (created 0644 or truncated; never through a symlink; only a regular file the caller owns). Null when written.</summary>
    public static Refusal? WriteText(string path, string text)
    {
        if (!path.StartsWith('/')) return Refusal.Unlabelled($"{path} is not an absolute path");
        // O_NONBLOCK: a FIFO left at the path (by anyone who can write its directory) must not hold
        // root's open until a reader comes; without one the open fails (ENXIO), with one it is refused below.
        var opened = Open(path, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC | LibC.O_NOFOLLOW | LibC.O_NONBLOCK, Created);
        if (!opened.Ok) return opened.Refusal;
        using var handle = opened.Value;
        // The runner's own file, or the one this open just made for it.
        if (CheckOwnedRegular(handle, path) is { } notOwned) return notOwned;
        try
        {
            RandomAccess.Write(handle, System.Text.Encoding.UTF8.GetBytes(text), 0);
        }
        catch (IOException e)
        {
            return Refusal.Unlabelled($"cannot write {path}: {e.Message}");
        }
        return null;
    }

    /// <summary>
    /// The bracket: open(2) with the caller's file-system ids. setfsuid is per thread (glibc does
    /// not broadcast it), so no other thread of this process ever runs with them.
    /// </summary>
    private static Outcome<SafeFileHandle> Open(string path, int flags, UnixFileMode mode)
    {
        uint euid = LibC.geteuid(), egid = LibC.getegid();
        uint ruid = LibC.getuid(), rgid = LibC.getgid();
        byte[] p = CString.From(path);
        int fd, errno;
        Glibc.setfsgid(rgid);
        Glibc.setfsuid(ruid);
        fixed (byte* pp = p)
        {
            do
            {
                fd = LibC.openat(LibC.AT_FDCWD, pp, flags | LibC.O_CLOEXEC | LibC.O_NOCTTY, mode.Native());
                errno = Errno.Last;
            }
            while (fd < 0 && errno == LibC.EINTR);
        }
        Glibc.setfsuid(euid);
        Glibc.setfsgid(egid);
        // setfsuid(-1) changes nothing and returns the current id: the restore must have taken.
        if ((uint)Glibc.setfsuid(uint.MaxValue) != euid || (uint)Glibc.setfsgid(uint.MaxValue) != egid)
            Environment.FailFast("ci-launcher: could not restore the file-system ids after opening a caller's file");
        if (fd < 0) return Refusal.Unlabelled($"cannot open {path} as uid {ruid}: {Errno.Message(errno)}");
        return Outcome.Of(new SafeFileHandle(fd, ownsHandle: true));
    }
}
