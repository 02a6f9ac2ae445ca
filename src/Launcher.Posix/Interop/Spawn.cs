using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>
/// native/cil_spawn.c, linked statically into the AOT executable (Launcher.Cli.csproj:
/// NativeLibrary + DirectPInvoke; build.sh compiles it). The layouts and <see cref="Step"/> mirror
/// cil_spawn.h; a test compiles a probe against the header and compares (tests/Launcher.Contracts.Tests, NativeContractTests).
/// Called only by Privileged/JobLauncher.cs.
/// </summary>
internal static unsafe partial class Spawn
{
    /// <summary>struct cil_spawn_request.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Request
    {
        public uint uid;
        public uint gid;
        public uint* groups;
        public int ngroups;
        public int change_identity;
        public int no_new_privs;
        public uint umask;
        public byte* workdir;
        public byte* shell;
        public byte* script;
        public byte** argv;
        public byte** envp;
        public int cgroup_procs_fd;
        public int nlimits;
        public Rlimit* limits;
        public int cgroup_fd;
    }

    /// <summary>struct cil_rlimit.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Rlimit
    {
        public ulong soft;
        public ulong hard;
    }

    /// <summary>struct cil_spawn_error: what the child reports before _exit(127); <see cref="step"/> is a <see cref="Step"/>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Error
    {
        public int step;
        public int err;
    }

    /// <summary>enum cil_step: which step of the child failed. The numbers are the C side's.</summary>
    public enum Step
    {
        /// <summary>Not a step of the child: its report could not be read whole.</summary>
        Unknown = 0,
        Setsid = 1,
        /// <summary>change_identity set, but the process is not root.</summary>
        NotRoot = 2,
        Setgroups = 3,
        Setresgid = 4,
        Setresuid = 5,
        /// <summary>Proof failed: an old uid could be taken back.</summary>
        RegainedUid = 6,
        /// <summary>Proof failed: an old gid could be taken back.</summary>
        RegainedGid = 7,
        /// <summary>Proof failed: real/effective/saved/fs uid differ from the target.</summary>
        Uids = 8,
        Gids = 9,
        /// <summary>Proof failed: the supplementary groups differ from the list.</summary>
        Groups = 10,
        /// <summary>Proof failed: capabilities remain.</summary>
        Caps = 11,
        NoNewPrivs = 12,
        CloseFds = 13,
        Signals = 14,
        Chdir = 15,
        ScriptOpen = 16,
        ScriptSymlink = 17,
        ScriptNotRegular = 18,
        ScriptOwner = 19,
        ScriptMode = 20,
        Exec = 21,
        /// <summary>Writing to the job's cgroup.procs failed.</summary>
        Cgroup = 22,
        /// <summary>Setting the caller's resource limits failed.</summary>
        Rlimit = 23,
    }

    /// <summary>0 with the child's pid and the read end of its error pipe, or -errno when nothing was forked.</summary>
    [LibraryImport(Libraries.CilSpawn)]
    public static partial int cil_spawn(Request* request, int* pid, int* errorFd);

    /// <summary>For the supervisor before it forks: every signal that would end it and still has its default action is ignored (cil_spawn.h).</summary>
    [LibraryImport(Libraries.CilSpawn)]
    public static partial void cil_ignore_stray_signals();
}
