namespace Launcher.Core.Launch;

/// <summary>
/// How a started job ended: its status shell-style, whether it was cancelled or killed, and
/// what held its processes. A value, not a failure: a job that exits 1 ran as planned. A job
/// that never started is a refusal instead (<c>launch.*</c>).
/// </summary>
public sealed record JobEnd
{
    public required int Pid { get; init; }

    /// <summary>The exit code, or 128 + N when signal N ended the job (as shells report it).</summary>
    public required int ExitStatus { get; init; }

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
}
