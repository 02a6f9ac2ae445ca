using Launcher.Core.Authorization;
using Launcher.Posix.Interop;
using Launcher.Posix.Privileged;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Launcher.Posix.Files;

/// <summary>
/// Replaces a file so that every reader sees either the whole old content or the whole new
/// content, also across a crash: write a temporary file in the same directory (rename is atomic
/// only within one file system), fsync it, rename it over the target, fsync the directory (so
/// the rename itself is durable). On any failure the old file is untouched. Everything happens
/// relative to one open descriptor of the directory, so the file lands in the directory that
/// was judged, whatever happens to the path meanwhile.
/// </summary>
public static unsafe class AtomicFile
{
    /// <summary>
    /// Null on success, else what failed (unlabelled: the caller knows what the file is). With <paramref name="trustedDirectory"/> the directory must
    /// pass <see cref="TrustedFile.OpenDirectory"/> (root writing a file others will trust); otherwise
    /// it is opened with this process's rights (an administrator's own choice, e.g. jwks export --output).
    /// Mode is set explicitly, so the umask does not matter.
    /// </summary>
    public static Refusal? Replace(string path, ReadOnlySpan<byte> content, UnixFileMode mode, bool trustedDirectory, bool rootOwned)
    {
        string? dirPath = Path.GetDirectoryName(Path.GetFullPath(path));
        string name = Path.GetFileName(path);
        if (dirPath is null || name.Length == 0) return Refusal.Unlabelled($"{path} does not name a file");
        var opened = trustedDirectory ? TrustedFile.OpenDirectory(dirPath) : OpenPlainDirectory(dirPath);
        if (!opened.Ok) return trustedDirectory ? Refusal.Unlabelled($"refusing to write {path}: {opened.Refusal.Detail}") : opened.Refusal;
        using var dir = opened.Value;
        return Replace(dir, dirPath, name, content, mode, rootOwned);
    }

    /// <summary>As above, for callers that treat a failed write as an exception (jwks export --output).</summary>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        if (Replace(path, content, mode, trustedDirectory: false, rootOwned: false) is { } failed) throw new IOException(failed.Detail);
    }

    /// <summary>Replaces <paramref name="name"/> in the open directory <paramref name="dir"/> (shown as <paramref name="dirPath"/> in errors).</summary>
    public static Refusal? Replace(SafeFileHandle dir, string dirPath, string name, ReadOnlySpan<byte> content, UnixFileMode mode, bool rootOwned)
    {
        int dirfd = (int)dir.DangerousGetHandle();
        string target = Path.Combine(dirPath, name);
        string temp = $".{name}.tmp-{Guid.NewGuid():N}";
        byte[] tempz = CString.From(temp);
        byte[] namez = CString.From(name);
        int fd;
        fixed (byte* t = tempz)
            // O_EXCL|O_NOFOLLOW: never write through a file or symlink someone planted.
            fd = LibC.openat(dirfd, t, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, FileModes.OwnerReadWrite.Native());
        if (fd < 0) return Refusal.Unlabelled($"cannot create a temporary file in {dirPath}: {Errno.Message()}");
        bool renamed = false;
        try
        {
            using (var file = new SafeFileHandle(fd, ownsHandle: true))
            {
                try { RandomAccess.Write(file, content, 0); }
                catch (IOException e) { return Refusal.Unlabelled($"cannot write {target}: {e.Message}"); }
                if (rootOwned && !Ownership.Give(fd, 0, 0)) return Refusal.Unlabelled($"cannot chown the new {target} to root: {Errno.Message()}");
                if (LibC.fchmod(fd, mode.Native()) != 0) return Refusal.Unlabelled($"cannot set the mode of the new {target}: {Errno.Message()}");
                if (LibC.fsync(fd) != 0) return Refusal.Unlabelled($"cannot sync the new {target}: {Errno.Message()}");
            }
            int r;
            fixed (byte* t = tempz)
            fixed (byte* n = namez)
                r = Glibc.renameat(dirfd, t, dirfd, n);
            if (r != 0) return Refusal.Unlabelled($"cannot rename the new file over {target}: {Errno.Message()}");
            renamed = true;
            return LibC.fsync(dirfd) == 0 ? null : Refusal.Unlabelled($"cannot sync directory {dirPath}: {Errno.Message()}");
        }
        finally
        {
            if (!renamed)
                fixed (byte* t = tempz)
                    LibC.unlinkat(dirfd, t, 0);
        }
    }

    /// <summary>A directory opened with this process's rights (for fsync and *at calls).</summary>
    public static Outcome<SafeFileHandle> OpenPlainDirectory(string path)
    {
        byte[] p = CString.From(path);
        int fd;
        fixed (byte* pp = p)
            fd = LibC.openat(LibC.AT_FDCWD, pp, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, default);
        if (fd < 0)
            return Refusal.Unlabelled(Errno.Last == LibC.ENOENT
                ? $"directory {path} does not exist (create it, root-owned 0755)"
                : $"cannot open directory {path}: {Errno.Message()}");
        return Outcome.Of(new SafeFileHandle(fd, ownsHandle: true));
    }
}
