namespace Launcher.Posix.Files;

/// <summary>What lstat/statx says about one path: enough for trust checks and change detection.</summary>
public readonly record struct FileStatus(uint Mode, uint Uid, uint Gid, ulong Inode, ulong Device, ulong Size, long MtimeSec, uint MtimeNsec)
{
    public bool IsDirectory => (Mode & 0xF000) == 0x4000;
    public bool IsRegular => (Mode & 0xF000) == 0x8000;
    public bool IsSymlink => (Mode & 0xF000) == 0xA000;
    public uint Permissions => Mode & 0xFFF;
    public string ModeOctal => Convert.ToString(Permissions, 8).PadLeft(4, '0');
}
