using System.Globalization;
using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Executor;
using Launcher.Posix.Files;
using Launcher.Posix.Interop;
using Launcher.Posix.Privileged;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Launcher.Posix.Executor;

/// <summary>
/// <c>state_dir/&lt;job id&gt;/</c>: root-owned (0711), so the job's user can open a file it is
/// told about but cannot list, create, rename or replace anything. It holds what later stages
/// must not take from the runner's environment (the account the config stage mapped the job to)
/// and copies of the stage scripts, owned by the job's user with mode 0500, because the runner's
/// own copy lives in a directory only the runner can read. Everything is done through one
/// descriptor of the job's directory, reached by the trusted walk: nothing in here is a path
/// the user or the runner chose.
/// </summary>
public sealed unsafe class JobStateDirectory : IDisposable
{
    private const UnixFileMode DirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>0500: a stage script copy, readable and executable by the job's user alone, not writable even by it.</summary>
    private const UnixFileMode ScriptMode = UnixFileMode.UserRead | UnixFileMode.UserExecute;

    /// <summary>Not a possible stage name ('+' is refused there), so a stage script never replaces it.</summary>
    private const string MappedUserFile = "mapped+user";

    private readonly SafeFileHandle _dir;

    private JobStateDirectory(string path, SafeFileHandle dir)
    {
        Path = path;
        _dir = dir;
    }

    public string Path { get; }

    private int Fd => (int)_dir.DangerousGetHandle();

    public static string PathFor(string stateDir, JobStateKey job) => System.IO.Path.Combine(stateDir, job.Name);

    /// <summary>
    /// The job's directory: with <paramref name="create"/> (the config stage) made if missing,
    /// state_dir included; otherwise it must exist, because only the config stage starts a job.
    /// </summary>
    public static Outcome<JobStateDirectory> Open(string stateDir, JobStateKey job, bool create)
    {
        var opened = create ? TrustedFile.EnsureDirectory(stateDir, DirMode) : TrustedFile.OpenDirectory(stateDir);
        if (!opened.Ok) return Refusal.Unlabelled($"executor.state_dir: {opened.Refusal.Detail}");
        using var state = opened.Value;
        string name = job.Name;
        string path = PathFor(stateDir, job);
        var jobDir = OpenJob(state, name, create);
        if (!jobDir.Ok) return jobDir.Refusal;
        if (jobDir.Value is not { } dir)
            return Refusal.Unlabelled($"{path} does not exist: the config stage did not run for job {job.JobId} with a token of this issuer (or cleanup already removed it)");
        if (LibC.fchmod((int)dir.DangerousGetHandle(), DirMode.Native()) != 0)
        {
            string why = Errno.Message();
            dir.Dispose();
            return Refusal.Unlabelled($"cannot set the mode of {path}: {why}");
        }
        return Outcome.Of(new JobStateDirectory(path, dir));
    }

    /// <summary>Writes <paramref name="content"/> as <c>&lt;job dir&gt;/&lt;name&gt;</c>, owned by uid/gid, mode 0500 (or <paramref name="mode"/>); returns its path.</summary>
    public Outcome<string> WriteScript(string name, ReadOnlySpan<byte> content, uint uid, uint gid, UnixFileMode mode = ScriptMode)
    {
        string path = System.IO.Path.Combine(Path, name);
        byte[] n = CString.From(name);
        int fd;
        fixed (byte* pn = n)
        {
            // A copy from a retried stage is replaced, never written through.
            if (LibC.unlinkat(Fd, pn, 0) != 0 && Errno.Last != LibC.ENOENT)
                return Refusal.Unlabelled($"cannot replace {path}: {Errno.Message()}");
            fd = LibC.openat(Fd, pn, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, ScriptMode.Native());
        }
        if (fd < 0) return Refusal.Unlabelled($"cannot create {path}: {Errno.Message()}");
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (!Ownership.Give(fd, uid, gid) || LibC.fchmod(fd, mode.Native()) != 0)
            return Refusal.Unlabelled($"cannot give {path} to uid {uid}: {Errno.Message()}");
        try
        {
            RandomAccess.Write(handle, content, 0);
        }
        catch (IOException e)
        {
            return Refusal.Unlabelled($"cannot write {path}: {e.Message}");
        }
        return Outcome.Of(path);
    }

    /// <summary>
    /// Removes a stage script copy once its stage has ended (missing is fine). Kept until cleanup,
    /// the copies of a runner that calls run_exec under ever new stage names with scripts of up to
    /// 64 MiB would fill the file system of state_dir (often /run), which only root may write.
    /// </summary>
    public void RemoveScript(string name)
    {
        byte[] n = CString.From(name);
        fixed (byte* pn = n)
            LibC.unlinkat(Fd, pn, 0);
    }

    /// <summary>Records the account the config stage mapped the job to (root-owned, 0600). Null when recorded.</summary>
    public Refusal? RecordMappedUser(string user) =>
        AtomicFile.Replace(_dir, Path, MappedUserFile, Encoding.UTF8.GetBytes(user + "\n"), FileModes.OwnerReadWrite, rootOwned: true);

    /// <summary>The account recorded by the config stage, or why there is none.</summary>
    public Outcome<string> MappedUser()
    {
        byte[] n = CString.From(MappedUserFile);
        int fd;
        fixed (byte* pn = n)
            fd = LibC.openat(Fd, pn, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC, default);
        string path = System.IO.Path.Combine(Path, MappedUserFile);
        if (fd < 0)
            return Refusal.Unlabelled(Errno.Last == LibC.ENOENT
                ? $"the config stage recorded no mapped user for this job ({path} is missing)"
                : $"cannot open {path}: {Errno.Message()}");
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        var bytes = TrustedFile.ReadAll(handle, path, 4096);
        return bytes.Ok ? Outcome.Of(Encoding.UTF8.GetString(bytes.Value).TrimEnd('\n')) : bytes.Refusal;
    }

    /// <summary>
    /// Reads <c>&lt;job dir&gt;/&lt;name&gt;</c>, a file this process created for <paramref name="uid"/> to
    /// write (a batch stage's result). Only root can add or rename entries here, so the name still
    /// leads to that file; it is opened relative to the judged directory without following links,
    /// must be a regular file of that uid and at most <paramref name="maxBytes"/>.
    /// </summary>
    public Outcome<byte[]> ReadFile(string name, int maxBytes, uint uid)
    {
        string path = System.IO.Path.Combine(Path, name);
        byte[] n = CString.From(name);
        int fd;
        fixed (byte* pn = n)
            fd = LibC.openat(Fd, pn, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NONBLOCK | LibC.O_NOCTTY, default);
        if (fd < 0) return Refusal.Unlabelled($"cannot open {path}: {Errno.Message()}");
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        var st = FileSystem.FStat(fd);
        if (!st.Ok) return st.Refusal;
        if (!st.Value.IsRegular || st.Value.Uid != uid) return Refusal.Unlabelled($"{path} is not a regular file of uid {uid}");
        return TrustedFile.ReadAll(handle, path, maxBytes);
    }

    /// <summary>Removes the job's directory and the files ci-launcher put in it. Missing is fine. Null when gone.</summary>
    public static Refusal? Remove(string stateDir, JobStateKey job)
    {
        var opened = TrustedFile.OpenDirectory(stateDir);
        if (!opened.Ok)
            return opened.Refusal.Detail.EndsWith("does not exist", StringComparison.Ordinal) ? null
                : Refusal.Unlabelled($"executor.state_dir: {opened.Refusal.Detail}");
        using var state = opened.Value;
        string name = job.Name;
        string path = PathFor(stateDir, job);
        var openedJob = OpenJob(state, name, create: false);
        if (!openedJob.Ok) return openedJob.Refusal;
        if (openedJob.Value is not { } jobDir) return null;
        int fd = (int)jobDir.DangerousGetHandle();
        using (jobDir)
        {
            try
            {
                // Through the descriptor's /proc link: the entries of the directory that was judged.
                foreach (var entry in Directory.EnumerateFileSystemEntries($"/proc/self/fd/{fd}"))
                {
                    byte[] e = CString.From(System.IO.Path.GetFileName(entry));
                    // Only root can create entries here, and it only creates files.
                    fixed (byte* pe = e)
                        if (LibC.unlinkat(fd, pe, 0) != 0 && Errno.Last != LibC.ENOENT)
                            return Refusal.Unlabelled($"cannot remove {path}/{System.IO.Path.GetFileName(entry)}: {Errno.Message()}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Refusal.Unlabelled($"cannot list {path}: {e.Message}");
            }
        }
        byte[] n = CString.From(name);
        fixed (byte* pn = n)
            if (LibC.unlinkat((int)state.DangerousGetHandle(), pn, LibC.AT_REMOVEDIR) != 0 && Errno.Last != LibC.ENOENT)
                return Refusal.Unlabelled($"cannot remove {path}: {Errno.Message()}");
        return null;
    }

    /// <summary>The job's directory under the judged state directory: root-owned, writable by root alone; null when it does not exist and was not to be created.</summary>
    private static Outcome<SafeFileHandle?> OpenJob(SafeFileHandle state, string name, bool create)
    {
        int statefd = (int)state.DangerousGetHandle();
        byte[] n = CString.From(name);
        int fd;
        fixed (byte* pn = n)
        {
            if (create && LibC.mkdirat(statefd, pn, DirMode.Native()) != 0 && Errno.Last != LibC.EEXIST)
                return Refusal.Unlabelled($"cannot create the job's state directory {name}: {Errno.Message()}");
            fd = LibC.openat(statefd, pn, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, default);
        }
        if (fd < 0)
        {
            int errno = Errno.Last;
            if (!create && errno == LibC.ENOENT) return Outcome.Of<SafeFileHandle?>(null);
            return Refusal.Unlabelled($"cannot open the job's state directory {name}: {Errno.Message(errno)}");
        }
        var st = FileSystem.FStat(fd);
        string? problem = st switch
        {
            { Ok: false } => $"cannot examine the job's state directory {name}: {st.Refusal.Detail}",
            { Value.Uid: not 0 } => $"the job's state directory {name} is owned by uid {st.Value.Uid}, not root; left alone",
            _ when (st.Value.Permissions & FileModes.GroupOrOtherWrite) != 0 => $"the job's state directory {name} has mode {st.Value.ModeOctal}, writable by group or others; left alone",
            _ => null,
        };
        if (problem is not null)
        {
            LibC.close(fd);
            return Refusal.Unlabelled(problem);
        }
        return Outcome.Of<SafeFileHandle?>(new SafeFileHandle(fd, ownsHandle: true));
    }

    public void Dispose() => _dir.Dispose();
}
