namespace Launcher.Core.Config;

public sealed class AccountsConfig
{
    public long MinUid { get; set; } = 1000;
    public long MinGid { get; set; } = 1000;
    public List<string> AllowUsers { get; set; } = [];
    public List<string> DenyUsers { get; set; } = ["root"];
    public List<string> AllowGroups { get; set; } = [];
    public List<string> DenyGroups { get; set; } = [];
    /// <summary>Empty means: any shell listed in /etc/shells. nologin and false are always refused.</summary>
    public List<string> AllowedShells { get; set; } = [];
}
