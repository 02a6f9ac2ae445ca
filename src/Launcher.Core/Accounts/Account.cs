namespace Launcher.Core.Accounts;

/// <summary>A resolved Unix account: passwd entry plus every group it is in (primary first).</summary>
public sealed record Account(string Name, uint Uid, uint Gid, string Home, string Shell, IReadOnlyList<GroupEntry> Groups);

public sealed record GroupEntry(uint Gid, string Name);

public enum ShadowState
{
    /// <summary>/etc/shadow could not be read (not root): the lock check is skipped.</summary>
    Unknown,
    Usable,
    Locked,
    Expired,
}
