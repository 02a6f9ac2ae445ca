using Launcher.Core.Accounts;
using Launcher.Core.Launch;

namespace Launcher.Posix.Launch;

/// <summary>Everything the child needs to become the job: who, what, where, with which environment.</summary>
public sealed record JobSpec
{
    /// <summary>The account from the decision: uid, gid and every group (primary first) are applied.</summary>
    public required Account Account { get; init; }

    /// <summary>Absolute path of the script; opened by the child after the drop (O_NOFOLLOW).</summary>
    public required string Script { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The job's whole environment (Launcher.Core.Launch.JobEnvironment.Build).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; }

    /// <summary>Absolute; entered after the drop.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>Absolute path of the shell that runs the script (launch.shell).</summary>
    public required string Shell { get; init; }

    public uint Umask { get; init; } = 0x3F;

    public bool NoNewPrivs { get; init; } = true;

    /// <summary>
    /// True: the process is root and changes to the account. False (downscope none): the process
    /// already is the account, and the child only proves that.
    /// </summary>
    public bool ChangeIdentity { get; init; } = true;

    /// <summary>Grace between forwarding SIGTERM/SIGINT/SIGHUP to the job's process group and SIGKILL.</summary>
    public TimeSpan KillTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How the job's processes are held together and ended (launch.containment).</summary>
    public Containment Containment { get; init; } = Containment.Auto;

    /// <summary>
    /// The resource limits the job gets, indexed by RLIMIT_* (<see cref="CallerLimits"/>): set-id,
    /// the caller's own, which ci-launcher-suid replaced with safe ones for the privileged part.
    /// Null: the job inherits this process's limits (root started the launcher itself).
    /// </summary>
    public IReadOnlyList<ResourceLimit>? Limits { get; init; }
}
