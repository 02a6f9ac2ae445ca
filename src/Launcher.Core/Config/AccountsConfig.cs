namespace Launcher.Core.Config;

public sealed class AccountsConfig
{
    public long MinUid { get; set; } = 1000;
    /// <summary>
    /// Lowest primary gid a job may run with. 100, not 1000: many HPC sites give every user the
    /// primary group <c>users</c> (gid 100 on Debian and RHEL alike), while the static system
    /// groups that grant real power as a primary group (root 0, bin, sys, adm 4, disk 6, wheel 10,
    /// kmem, shadow 42, sudo 27, ...) all sit below 100. gid 0 is refused whatever this says.
    /// Supplementary groups are the business of deny_groups.
    /// </summary>
    public long MinGid { get; set; } = 100;
    public List<string> AllowUsers { get; set; } = [];
    public List<string> DenyUsers { get; set; } = ["root"];
    public List<string> AllowGroups { get; set; } = [];
    public List<string> DenyGroups { get; set; } = [];
    /// <summary>Empty means: any shell listed in /etc/shells. nologin and false are always refused.</summary>
    public List<string> AllowedShells { get; set; } = [];
}
