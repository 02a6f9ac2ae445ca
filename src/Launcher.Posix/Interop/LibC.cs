using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>
/// The libc entry points ci-launcher calls itself. Structures are the LP64 Linux layouts
/// (x86_64 and aarch64 agree on every one used here; statx exists precisely to be the same on
/// every architecture, which is why it is used instead of stat).
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    [StructLayout(LayoutKind.Sequential)]
    public struct Passwd
    {
        public byte* pw_name;
        public byte* pw_passwd;
        public uint pw_uid;
        public uint pw_gid;
        public byte* pw_gecos;
        public byte* pw_dir;
        public byte* pw_shell;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Group
    {
        public byte* gr_name;
        public byte* gr_passwd;
        public uint gr_gid;
        public byte** gr_mem;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Spwd
    {
        public byte* sp_namp;
        public byte* sp_pwdp;
        public nint sp_lstchg;
        public nint sp_min;
        public nint sp_max;
        public nint sp_warn;
        public nint sp_inact;
        public nint sp_expire;
        public nuint sp_flag;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct StatxTimestamp
    {
        public long tv_sec;
        public uint tv_nsec;
        public int reserved;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Statx
    {
        public uint stx_mask;
        public uint stx_blksize;
        public ulong stx_attributes;
        public uint stx_nlink;
        public uint stx_uid;
        public uint stx_gid;
        public ushort stx_mode;
        public ushort spare0;
        public ulong stx_ino;
        public ulong stx_size;
        public ulong stx_blocks;
        public ulong stx_attributes_mask;
        public StatxTimestamp stx_atime;
        public StatxTimestamp stx_btime;
        public StatxTimestamp stx_ctime;
        public StatxTimestamp stx_mtime;
        public uint stx_rdev_major;
        public uint stx_rdev_minor;
        public uint stx_dev_major;
        public uint stx_dev_minor;
        public fixed ulong spare2[14];
    }

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const uint STATX_BASIC_STATS = 0x7ff;
    public const uint S_IFMT = 0xF000;
    public const uint S_IFDIR = 0x4000;
    public const uint S_IFREG = 0x8000;
    public const uint S_IFLNK = 0xA000;
    public const int ERANGE = 34;
    public const int EINTR = 4;
    public const ulong AT_SECURE = 23;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getpwnam_r(byte* name, Passwd* pwd, byte* buf, nuint buflen, Passwd** result);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getpwuid_r(uint uid, Passwd* pwd, byte* buf, nuint buflen, Passwd** result);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getgrgid_r(uint gid, Group* grp, byte* buf, nuint buflen, Group** result);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getgrnam_r(byte* name, Group* grp, byte* buf, nuint buflen, Group** result);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getgrouplist(byte* user, uint group, uint* groups, int* ngroups);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getspnam_r(byte* name, Spwd* spbuf, byte* buf, nuint buflen, Spwd** result);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int statx(int dirfd, byte* path, int flags, uint mask, Statx* buf);

    [LibraryImport(Lib)]
    public static partial uint getuid();

    [LibraryImport(Lib)]
    public static partial uint geteuid();

    [LibraryImport(Lib)]
    public static partial uint getgid();

    [LibraryImport(Lib)]
    public static partial uint getegid();

    [LibraryImport(Lib)]
    public static partial int getgroups(int size, uint* list);

    [LibraryImport(Lib)]
    public static partial nuint getauxval(ulong type);

    public static string? Str(byte* p) => p is null ? null : Marshal.PtrToStringUTF8((nint)p);
}
