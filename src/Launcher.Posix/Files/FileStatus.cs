namespace Launcher.Posix.Files;

/// <summary>What statx says about one path or descriptor: enough for trust checks and change detection.</summary>
public readonly record struct FileStatus(uint Mode, uint Uid, uint Gid, ulong Inode, ulong Device, ulong Size, long MtimeSec, uint MtimeNsec, uint Links)
{
    private const uint TypeMask = 0xF000; // S_IFMT: the file type bits of st_mode

    public bool IsDirectory => (Mode & TypeMask) == 0x4000;
    public bool IsRegular => (Mode & TypeMask) == 0x8000;
    public bool IsSymlink => (Mode & TypeMask) == 0xA000;

    /// <summary>Permission bits with setuid, setgid and sticky (07777).</summary>
    public UnixFileMode Permissions => (UnixFileMode)(Mode & 0xFFF);

    public string ModeOctal => Convert.ToString((int)Permissions, 8).PadLeft(4, '0');
}
