namespace Launcher.Core.Config;

/// <summary>
/// The <c>launch:</c> section: how <c>ci-launcher run</c> (and the executor) start a job once the
/// decision allowed it. Every default is the safe choice; see docs/launch.md.
/// </summary>
public sealed class LaunchConfig
{
    /// <summary>Only members of this group may use the setuid wrapper (installed 4750 root:group).</summary>
    public string CallerGroup { get; set; } = "ci-launcher";
    /// <summary>PR_SET_NO_NEW_PRIVS for the job: setuid binaries and file capabilities no longer elevate.</summary>
    public bool NoNewPrivs { get; set; } = true;
    /// <summary>Octal, as a string so YAML cannot read 077 as the decimal 77.</summary>
    public string Umask { get; set; } = "077";
    /// <summary>Template (<c>{user}</c>, <c>{uid}</c>, <c>{gid}</c>, <c>{home}</c>) of the job's working directory.</summary>
    public string Workdir { get; set; } = "{home}";
    public string Shell { get; set; } = "/bin/bash";
    public string Path { get; set; } = "/usr/local/bin:/usr/bin:/bin";
    /// <summary>Caller environment variables passed to the job: exact names or a prefix ending in <c>*</c>.</summary>
    public List<string> Env { get; set; } = ["LANG", "LC_ALL", "TZ"];
    /// <summary>Whether the job sees the ID token (in the issuer's token variable). Off: the job cannot replay it.</summary>
    public bool PassToken { get; set; }
    /// <summary>Grace between forwarding a cancel signal to the job's process group and SIGKILL.</summary>
    public string KillTimeout { get; set; } = "30s";
    /// <summary>Directory templates created before the drop, owned by the account, mode 0700.</summary>
    public List<string> CreateDirs { get; set; } = [];
    /// <summary><c>setuid</c>: drop root to the mapped account. <c>none</c>: no privilege change; the mapped account must be the caller.</summary>
    public string Downscope { get; set; } = "setuid";
    /// <summary><c>auto</c>: a cgroup per job when cgroup v2 is usable, else the process group. <c>cgroup</c>: required. <c>process_group</c>.</summary>
    public string Containment { get; set; } = "auto";
}
