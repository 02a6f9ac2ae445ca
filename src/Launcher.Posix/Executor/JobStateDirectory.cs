using System.Globalization;
using System.Runtime.InteropServices;
using Launcher.Posix.Files;
using Launcher.Posix.Interop;

namespace Launcher.Posix.Executor;

/// <summary>
/// <c>state_dir/&lt;job id&gt;/</c>: root-owned (0711), so the job's user can open a file it is
/// told about but cannot list, create, rename or replace anything. The stage scripts are copied
/// here, owned by the job's user with mode 0500, because the runner's own copy lives in a
/// directory only the runner can read. Nothing in here is a path the user chose.
/// </summary>
public sealed unsafe class JobStateDirectory
{
    private const UnixFileMode DirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private JobStateDirectory(string path) => Path = path;

    public string Path { get; }

    public static string PathFor(string stateDir, long jobId) =>
        System.IO.Path.Combine(stateDir, jobId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Creates (or re-checks) the state directory and the job's directory under it.</summary>
    public static JobStateDirectory? Open(string stateDir, long jobId, out string? error)
    {
        if (!EnsureRootDirectory(stateDir, out error)) return null;
        for (string? dir = System.IO.Path.GetDirectoryName(stateDir); dir is not null; dir = System.IO.Path.GetDirectoryName(dir))
        {
            var st = FileSystem.LStat(dir, out error);
            if (st is null) { error = $"cannot examine {dir}: {error}"; return null; }
            if (RootOnly(st.Value) is { } problem) { error = $"executor.state_dir: directory {dir} {problem}"; return null; }
        }
        string job = PathFor(stateDir, jobId);
        return EnsureRootDirectory(job, out error) ? new JobStateDirectory(job) : null;
    }

    /// <summary>Writes <paramref name="content"/> as <c>&lt;job dir&gt;/&lt;name&gt;</c>, owned by uid/gid, mode 0500 (or <paramref name="mode"/>); returns its path.</summary>
    public string? WriteScript(string name, ReadOnlySpan<byte> content, uint uid, uint gid, out string? error, uint mode = 0x140)
    {
        string path = System.IO.Path.Combine(Path, name);
        // A copy from a retried stage is replaced, never written through.
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { error = $"cannot replace {path}: {e.Message}"; return null; }
        byte[] p = FileSystem.Z(path);
        int fd;
        fixed (byte* pp = p)
            fd = LibC.openat(LibC.AT_FDCWD, pp, ExecutorLibC.O_WRONLY | ExecutorLibC.O_CREAT | ExecutorLibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0x140);
        if (fd < 0) { error = $"cannot create {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}"; return null; }
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        if (LibC.fchown(fd, uid, gid) != 0 || LibC.fchmod(fd, mode) != 0)
        {
            error = $"cannot give {path} to uid {uid}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}";
            return null;
        }
        try
        {
            using var stream = new FileStream(handle, FileAccess.Write, 1);
            stream.Write(content);
        }
        catch (IOException e)
        {
            error = $"cannot write {path}: {e.Message}";
            return null;
        }
        error = null;
        return path;
    }

    /// <summary>
    /// Reads <c>&lt;job dir&gt;/&lt;name&gt;</c>, a file this process created for <paramref name="uid"/> to
    /// write (a batch stage's result). Only root can add or rename entries here, so the name still
    /// leads to that file; it is opened without following links, must be a regular file of that
    /// uid and at most <paramref name="maxBytes"/>. Null with what was wrong.
    /// </summary>
    public byte[]? ReadFile(string name, int maxBytes, uint uid, out string? error)
    {
        string path = System.IO.Path.Combine(Path, name);
        byte[] p = FileSystem.Z(path);
        int fd;
        fixed (byte* pp = p)
            fd = LibC.openat(LibC.AT_FDCWD, pp, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NONBLOCK | LibC.O_NOCTTY, 0);
        if (fd < 0) { error = $"cannot open {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}"; return null; }
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        var st = CallerFile.FStat(fd, out error);
        if (st is null) return null;
        if (!st.Value.IsRegular || st.Value.Uid != uid) { error = $"{path} is not a regular file of uid {uid}"; return null; }
        if ((long)st.Value.Size > maxBytes) { error = $"{path} is {st.Value.Size} bytes, more than {maxBytes}"; return null; }
        try
        {
            using var stream = new FileStream(handle, FileAccess.Read, 1);
            var buffer = new byte[maxBytes + 1];
            int total = 0, n;
            while (total < buffer.Length && (n = stream.Read(buffer, total, buffer.Length - total)) > 0) total += n;
            if (total > maxBytes) { error = $"{path} grew beyond {maxBytes} bytes"; return null; }
            error = null;
            return buffer[..total];
        }
        catch (IOException e)
        {
            error = $"cannot read {path}: {e.Message}";
            return null;
        }
    }

    /// <summary>Removes the job's directory and the files ci-launcher put in it. Missing is fine.</summary>
    public static bool Remove(string stateDir, long jobId, out string? error)
    {
        string job = PathFor(stateDir, jobId);
        var st = FileSystem.LStat(job, out error);
        if (st is null) { error = null; return true; }
        if (!st.Value.IsDirectory || RootOnly(st.Value) is not null)
        {
            error = $"{job} is not a root-owned directory; left alone";
            return false;
        }
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(job))
            {
                var e = FileSystem.LStat(entry, out _);
                // Only root can create entries here, and it only creates files.
                if (e is { IsDirectory: false }) File.Delete(entry);
            }
            Directory.Delete(job, recursive: false);
            error = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"cannot remove {job}: {e.Message}";
            return false;
        }
    }

    private static bool EnsureRootDirectory(string path, out string? error)
    {
        var st = FileSystem.LStat(path, out error);
        if (st is null)
        {
            try
            {
                Directory.CreateDirectory(path, DirMode);
                File.SetUnixFileMode(path, DirMode);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = $"cannot create {path}: {e.Message}";
                return false;
            }
            st = FileSystem.LStat(path, out error);
            if (st is null) { error = $"cannot examine {path}: {error}"; return false; }
        }
        if (!st.Value.IsDirectory) { error = $"{path} is not a directory"; return false; }
        if (RootOnly(st.Value) is { } problem) { error = $"{path} {problem}"; return false; }
        error = null;
        return true;
    }

    private static string? RootOnly(FileStatus st)
    {
        if (st.Uid != 0) return $"is owned by uid {st.Uid}, not root (chown root)";
        if ((st.Permissions & 0x12) != 0) return $"has mode {st.ModeOctal}, writable by group or others (chmod go-w)";
        return null;
    }
}
