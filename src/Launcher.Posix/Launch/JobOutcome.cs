using Launcher.Core.Authorization;

namespace Launcher.Posix.Launch;

/// <summary>
/// How a launch ended. Not started: <see cref="Reason"/> says why (a <c>launch.*</c> code from
/// <see cref="Reasons"/>) and no job code ran. Started: the job's status, shell-style.
/// </summary>
public sealed record JobOutcome
{
    public required bool Started { get; init; }
    public string Reason { get; init; } = Reasons.Ok;
    public string Detail { get; init; } = "";
    public int Pid { get; init; }

    /// <summary>The exit code, or 128 + N when signal N ended the job (as shells report it).</summary>
    public int ExitStatus { get; init; }

    public int? TermSignal { get; init; }

    /// <summary>A cancel signal (SIGTERM, SIGINT, SIGHUP) reached the supervisor and was forwarded.</summary>
    public bool Cancelled { get; init; }

    /// <summary>The job got SIGKILL because kill_timeout ran out after a cancel.</summary>
    public bool Killed { get; init; }

    /// <summary>What held the job's processes: <c>cgroup</c> or <c>process_group</c>.</summary>
    public string Containment { get; init; } = "";

    /// <summary>Processes of the job still running when it ended (after its leader exited), all killed then.</summary>
    public int Leftovers { get; init; }

    /// <summary>Why the cgroup was not used (auto), or what went wrong ending the job; empty when nothing did.</summary>
    public string ContainmentNote { get; init; } = "";

    public static JobOutcome NotStarted(string reason, string detail) => new() { Started = false, Reason = reason, Detail = detail };
}
