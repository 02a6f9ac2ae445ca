using System.Runtime.InteropServices;
using Launcher.Posix.Interop;

namespace Launcher.Posix.Files;

/// <summary>
/// Replaces a file so that every reader sees either the whole old content or the whole new
/// content, also across a crash: write a temporary file in the same directory (rename is atomic
/// only within one file system), fsync it, rename it over the target, fsync the directory (so
/// the rename itself is durable). On any failure the old file is untouched.
/// </summary>
public static unsafe class AtomicFile
{
    /// <summary>As <see cref="Replace"/>, for callers that treat a failed write as an exception (site key ring, jwks export).</summary>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        if (Replace(path, content, mode, rootOwned: false) is { } problem) throw new IOException(problem);
    }

    /// <summary>Null on success, else what failed. Mode is set explicitly, so the umask does not matter.</summary>
    public static string? Replace(string path, ReadOnlySpan<byte> content, UnixFileMode mode, bool rootOwned)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is null || !Directory.Exists(dir)) return $"directory of {path} does not exist (create it, root-owned 0755)";
        string temp = Path.Combine(dir, $".{Path.GetFileName(path)}.tmp-{Guid.NewGuid():N}");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew, // O_EXCL: never write through a file or symlink someone planted
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                if (rootOwned && LibC.fchown((int)stream.SafeFileHandle.DangerousGetHandle(), 0, 0) != 0)
                    return $"cannot chown {temp} to root: {LastError()}";
                File.SetUnixFileMode(stream.SafeFileHandle, mode);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            temp = "";
            return SyncDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot write {path}: {e.Message}";
        }
        finally
        {
            if (temp.Length > 0) TryDelete(temp);
        }
    }

    private static string? SyncDirectory(string dir)
    {
        byte[] p = FileSystem.Z(dir);
        int fd;
        fixed (byte* pp = p) fd = LibC.open(pp, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        if (fd < 0) return $"cannot open directory {dir} to sync it: {LastError()}";
        try
        {
            return LibC.fsync(fd) == 0 ? null : $"cannot sync directory {dir}: {LastError()}";
        }
        finally
        {
            LibC.close(fd);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static string LastError() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
}
