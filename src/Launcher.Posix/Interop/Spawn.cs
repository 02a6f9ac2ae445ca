using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>
/// native/cil_spawn.c, linked statically into the AOT executable (Launcher.Cli.csproj:
/// NativeLibrary + DirectPInvoke; build.sh compiles it). The layouts mirror cil_spawn.h.
/// </summary>
internal static unsafe partial class Spawn
{
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

    [StructLayout(LayoutKind.Sequential)]
    public struct Rlimit
    {
        public ulong soft;
        public ulong hard;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Error
    {
        public int step;
        public int err;
    }

    [LibraryImport("libcil_spawn")]
    public static partial int cil_spawn(Request* request, int* pid, int* errorFd);
}
