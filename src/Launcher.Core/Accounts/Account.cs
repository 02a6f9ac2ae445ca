namespace Launcher.Core.Accounts;

/// <summary>A resolved Unix account: passwd entry plus every group it is in (primary first).</summary>
public sealed record Account(string Name, uint Uid, uint Gid, string Home, string Shell, IReadOnlyList<GroupEntry> Groups);

/// <summary>
/// One group of an account. <see cref="Name"/> is null when the group database has no name for
/// the gid (or could not be asked): "not found" is its own value, never the gid spelled as a
/// name, which a name rule would then silently fail to match.
/// </summary>
public sealed record GroupEntry(uint Gid, string? Name)
{
    /// <summary>For messages and output: the name, or the bare gid when there is none.</summary>
    public string Display => Name ?? Gid.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public enum ShadowState
{
    /// <summary>/etc/shadow could not be read (not root): the lock check is skipped.</summary>
    Unknown,
    Usable,
    Locked,
    Expired,
}
