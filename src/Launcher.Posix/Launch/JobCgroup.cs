using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Launch;
using Launcher.Posix.Files;
using Launcher.Posix.Interop;
using Tmds.Linux;

namespace Launcher.Posix.Launch;

/// <summary>
/// A cgroup v2 of one job's own: created by the supervisor (root) before the fork, the child
/// created inside it (<see cref="DirFd"/>, clone3) or else joining it through <see cref="ProcsFd"/>
/// before it drops privileges, emptied with cgroup.kill and
/// removed at the job's end. Everything the job forks, including what calls setsid or double-
/// forks into a daemon, is born inside it and dies with it.
///
/// The job cannot leave it: moving a process needs write access to the destination's
/// cgroup.procs and to that of the common ancestor, and the job cgroup and every ancestor up to
/// the mount are root-owned and not writable by group or others (checked here, on descriptors).
/// That is also why the parent is not always the launcher's own cgroup: a cgroup delegated to the
/// caller (systemd's user@UID.service) would let the caller pull the job's processes out, so the
/// job cgroup goes under the deepest ancestor that nobody but root can write.
/// </summary>
internal sealed unsafe class JobCgroup : IDisposable
{
    /// <summary>0755: the job cgroup, as cgroup directories are; only root writes in it.</summary>
    private const UnixFileMode CgroupMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>How long the end waits for killed processes to be gone before giving up on rmdir.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private int _parentFd;
    private int _dirFd;
    private int _procsFd;
    private int _killFd;
    private bool _removed;

    private JobCgroup(int parentFd, int dirFd, int procsFd, int killFd, string name, string path)
    {
        _parentFd = parentFd;
        _dirFd = dirFd;
        _procsFd = procsFd;
        _killFd = killFd;
        Name = name;
        Path = path;
    }

    public string Name { get; }

    /// <summary>The directory, for messages: e.g. /sys/fs/cgroup/ci-launcher-job.1234.9f3a7c21.</summary>
    public string Path { get; }

    /// <summary>cgroup.procs of the job cgroup, write-only, close-on-exec; the child writes "0" to it when it could not be created inside.</summary>
    public int ProcsFd => _procsFd;

    /// <summary>The job cgroup's directory (O_PATH, close-on-exec), for clone3(CLONE_INTO_CGROUP): the child is created inside.</summary>
    public int DirFd => _dirFd;

    /// <summary>The job's cgroup, or why cgroup v2 cannot be used on this machine or by this process (unlabelled).</summary>
    public static Outcome<JobCgroup> Create()
    {
        string mountinfo, self;
        try
        {
            mountinfo = File.ReadAllText("/proc/self/mountinfo");
            self = File.ReadAllText("/proc/self/cgroup");
        }
        catch (IOException e)
        {
            return Refusal.Unlabelled($"cannot read /proc/self: {e.Message}");
        }
        if (CgroupPaths.FindMount(mountinfo) is not { } mount)
            return Refusal.Unlabelled("cgroup v2 is not mounted (no cgroup2 line in /proc/self/mountinfo)");
        if (CgroupPaths.OwnCgroup(self) is not { } own || CgroupPaths.ComponentsBelow(mount, own) is not { } components)
            return Refusal.Unlabelled($"this process's cgroup v2 path is not visible under {mount.MountPoint} (/proc/self/cgroup)");

        int fd = OpenPath(LibC.AT_FDCWD, mount.MountPoint, follow: true);
        if (fd < 0)
            return Refusal.Unlabelled($"cannot open the cgroup2 mount {mount.MountPoint}: {Errno.Message(-fd)}");
        string parentPath = mount.MountPoint;
        var rootProblem = IsCgroup2(fd) ? CheckTrusted(fd) : Refusal.Unlabelled("not a cgroup2 file system");
        if (rootProblem is not null)
        {
            LibC.close(fd);
            return Refusal.Unlabelled($"the cgroup2 mount {mount.MountPoint} is unusable: {rootProblem.Detail}");
        }
        foreach (string component in components)
        {
            int next = OpenPath(fd, component, follow: false);
            if (next < 0) break;
            if (CheckTrusted(next) is not null)
            {
                LibC.close(next);
                break;
            }
            LibC.close(fd);
            fd = next;
            parentPath = parentPath.TrimEnd('/') + "/" + component;
        }

        // The pid and 32 random bits: unique per job, and not guessable for a job user who wanted
        // to pre-create it (it cannot: the parent is root's).
        if (RandomBits() is not { } random)
        {
            var refused = Refusal.Unlabelled($"cannot get random bytes for the job cgroup's name (getrandom: {Errno.Message()})");
            LibC.close(fd);
            return refused;
        }
        string name = "ci-launcher-job." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "." + random.ToString("x8", CultureInfo.InvariantCulture);
        string path = parentPath.TrimEnd('/') + "/" + name;
        int dir = -1, procs = -1, kill = -1;
        fixed (byte* n = CString.From(name))
        {
            if (LibC.mkdirat(fd, n, CgroupMode.Native()) != 0)
            {
                var refused = Refusal.Unlabelled($"cannot create a job cgroup under {parentPath}: {Errno.Message()}");
                LibC.close(fd);
                return refused;
            }
            dir = OpenPath(fd, name, follow: false);
            if (dir >= 0)
            {
                procs = OpenAt(dir, "cgroup.procs", LibC.O_WRONLY);
                kill = OpenAt(dir, "cgroup.kill", LibC.O_WRONLY);
            }
            if (dir < 0 || procs < 0 || kill < 0)
            {
                int error = -Math.Min(dir, Math.Min(procs, kill));
                var refused = Refusal.Unlabelled(kill == -LibC.ENOENT
                    ? $"the kernel has no cgroup.kill in {path} (Linux 5.14 or later is needed)"
                    : $"cannot open the job cgroup {path}: {Errno.Message(error)}");
                foreach (int open in new[] { dir, procs, kill }) if (open >= 0) LibC.close(open);
                LibC.unlinkat(fd, n, LibC.AT_REMOVEDIR);
                LibC.close(fd);
                return refused;
            }
        }
        return Outcome.Of(new JobCgroup(fd, dir, procs, kill, name, path));
    }

    /// <summary>
    /// 32 bits from getrandom(2). Not RandomNumberGenerator: that is OpenSSL's DRBG, whose first use
    /// in a process instantiates it (an AES-CTR fetch and seeding), a tenth of all the instructions
    /// of a launch (bench/launch/README.md); nothing else in a launch needs it.
    /// </summary>
    private static uint? RandomBits()
    {
        uint value;
        nint n;
        do n = Glibc.getrandom(&value, sizeof(uint), 0);
        while (n < 0 && Errno.Last == LibC.EINTR);
        return n == sizeof(uint) ? value : null;
    }

    /// <summary>SIGKILL to every process in the cgroup, atomically with respect to forks racing it.</summary>
    public void Kill()
    {
        byte one = (byte)'1';
        long n;
        do n = LibC.write(_killFd, &one, 1);
        while (n < 0 && Errno.Last == LibC.EINTR);
    }

    /// <summary>Whether any process of the job is alive (cgroup.events "populated 1"). Zombies do not count.</summary>
    public bool Populated() => ReadAt("cgroup.events") is not { } events || events.Contains("populated 1", StringComparison.Ordinal);

    /// <summary>
    /// The job's end: kills whatever is still in the cgroup, waits until it is empty, removes it.
    /// Returns how many processes were killed, and a note when the cgroup stays.
    /// </summary>
    public (int Killed, string? Note) KillAndRemove(int leader)
    {
        string? problem = null;
        var seen = new HashSet<int>(Pids());
        if (seen.Count > 0 || Populated())
        {
            Kill();
            long deadline = Environment.TickCount64 + (long)DrainTimeout.TotalMilliseconds;
            while (Populated())
            {
                if (Environment.TickCount64 > deadline)
                {
                    problem = $"cgroup {Path} still had processes {DrainTimeout.TotalSeconds:0}s after cgroup.kill; left in place";
                    break;
                }
                seen.UnionWith(Pids());
                Thread.Sleep(10);
            }
        }
        seen.Remove(leader);
        if (problem is null && !Remove())
            problem = $"cannot remove cgroup {Path}: {Errno.Message()}";
        return (seen.Count, problem);
    }

    private bool Remove()
    {
        if (_removed) return true;
        fixed (byte* n = CString.From(Name))
            _removed = LibC.unlinkat(_parentFd, n, LibC.AT_REMOVEDIR) == 0;
        return _removed;
    }

    private List<int> Pids()
    {
        var pids = new List<int>();
        foreach (string line in (ReadAt("cgroup.procs") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) pids.Add(pid);
        return pids;
    }

    /// <summary>A small cgroup file read whole through the directory descriptor; null when it cannot be read.</summary>
    private string? ReadAt(string file)
    {
        int fd = OpenAt(_dirFd, file, LibC.O_RDONLY);
        if (fd < 0) return null;
        try
        {
            var text = new StringBuilder();
            byte* buf = stackalloc byte[4096];
            while (true)
            {
                long n = LibC.read(fd, buf, 4096);
                if (n < 0 && Errno.Last == LibC.EINTR) continue;
                if (n < 0) return null;
                if (n == 0) return text.ToString();
                text.Append(Encoding.ASCII.GetString(buf, (int)n));
            }
        }
        finally
        {
            LibC.close(fd);
        }
    }

    private static int OpenPath(int dirFd, string name, bool follow)
    {
        int flags = LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC | (follow ? 0 : LibC.O_NOFOLLOW);
        fixed (byte* p = CString.From(name))
        {
            int fd = LibC.openat(dirFd, p, flags, default);
            return fd >= 0 ? fd : -Errno.Last;
        }
    }

    private static int OpenAt(int dirFd, string name, int flags)
    {
        fixed (byte* p = CString.From(name))
        {
            int fd = LibC.openat(dirFd, p, flags | LibC.O_CLOEXEC | LibC.O_NOFOLLOW | LibC.O_NOCTTY, default);
            return fd >= 0 ? fd : -Errno.Last;
        }
    }

    private static bool IsCgroup2(int fd)
    {
        long* buf = stackalloc long[32];
        return Glibc.fstatfs(fd, buf) == 0 && buf[0] == Glibc.CGROUP2_SUPER_MAGIC;
    }

    /// <summary>Null when the cgroup directory and its cgroup.procs are root's and writable by nobody else.</summary>
    private static Refusal? CheckTrusted(int dirFd)
    {
        var dir = FileSystem.FStat(dirFd);
        if (!dir.Ok) return dir.Refusal;
        if (IsForeign(dir.Value)) return Refusal.Unlabelled($"directory owned by uid {dir.Value.Uid}, mode {Octal(dir.Value)}");
        var procs = FileSystem.LStatAt(dirFd, "cgroup.procs");
        if (!procs.Ok) return procs.Refusal.In("no cgroup.procs");
        if (IsForeign(procs.Value)) return Refusal.Unlabelled($"cgroup.procs owned by uid {procs.Value.Uid}, mode {Octal(procs.Value)}");
        return null;
    }

    private static bool IsForeign(FileStatus st) => st.Uid != 0 || (st.Permissions & FileModes.GroupOrOtherWrite) != 0;

    private static string Octal(FileStatus st) => Convert.ToString((int)st.Permissions, 8);

    public void Dispose()
    {
        if (!_removed && _killFd >= 0) KillAndRemove(0);
        foreach (int fd in new[] { _killFd, _procsFd, _dirFd, _parentFd }) if (fd >= 0) LibC.close(fd);
        _killFd = _procsFd = _dirFd = _parentFd = -1;
    }
}
