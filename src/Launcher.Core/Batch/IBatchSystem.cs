namespace Launcher.Core.Batch;

/// <summary>What one submission asks of the batch system; every path and name was chosen by ci-launcher.</summary>
public sealed record BatchSubmission
{
    /// <summary>The job author's options after the allowlist and the rule's bounds.</summary>
    public required IReadOnlyList<BatchOption> Options { get; init; }
    public required string JobName { get; init; }
    /// <summary>The CI job's URL, when known.</summary>
    public string? Comment { get; init; }
    public required string WorkingDirectory { get; init; }
    public required string OutputFile { get; init; }
    /// <summary>Variables the job gets (their values are in the submit command's environment), beside none of the submitter's.</summary>
    public required IReadOnlyList<string> ExportNames { get; init; }
    public required string Script { get; init; }
}

/// <summary>Where a batch job is in its life, as far as a CI stage cares.</summary>
public enum BatchPhase
{
    Pending,
    Running,
    /// <summary>The script ran to its end (its exit code and signal are known): the job author's result.</summary>
    Finished,
    /// <summary>Ended for a reason that is not the script's: time limit, node failure, preemption, memory, cancellation.</summary>
    Ended,
}

/// <summary>One look at a job: its raw state and what ci-launcher reports and audits about it.</summary>
public sealed record BatchJobStatus
{
    public required string JobId { get; init; }
    public required string State { get; init; }
    public required BatchPhase Phase { get; init; }
    public string Reason { get; init; } = "";
    public int ExitCode { get; init; }
    public int Signal { get; init; }
    public string Nodes { get; init; } = "";
    public string Partition { get; init; } = "";
    public string Account { get; init; } = "";
    public string Qos { get; init; } = "";
    public string Elapsed { get; init; } = "";

    /// <summary>The script's status shell-style: its exit code, or 128 + the signal that ended it.</summary>
    public int ShellStatus => Signal != 0 ? 128 + Signal : ExitCode;
}

/// <summary>Why a submit command failed, from its own words.</summary>
public enum SubmitFailure
{
    /// <summary>The controller could not be reached or the client is not configured: the site is down.</summary>
    Unavailable,
    /// <summary>The controller answered and said no: bad partition, over a limit, invalid request.</summary>
    Rejected,
}

/// <summary>
/// A batch system as the executor uses it: submit, look at, cancel a job, and where its output
/// goes. Pure: it builds command lines and reads their answers; running them is the caller's
/// job (as the mapped user, never as root). Slurm is one implementation; PBS (qsub/qstat/qdel),
/// LSF (bsub/bjobs/bkill) or Flux (flux batch/jobs/cancel) would be others.
/// </summary>
public interface IBatchSystem
{
    /// <summary>The name in executor.batch.system.</summary>
    string Name { get; }

    /// <summary>The name in messages ("Slurm job 12 submitted").</summary>
    string DisplayName { get; }

    /// <summary>The options of its submit command, with the ones never taken from a job.</summary>
    OptionTable Options { get; }

    IReadOnlyList<string> DefaultAllowedOptions { get; }

    /// <summary>Command names looked up in executor.batch.bin_dir.</summary>
    string SubmitCommand { get; }
    string StateCommand { get; }
    string CancelCommand { get; }

    /// <summary>Arguments of the submit command; the output file goes where <paramref name="s"/> says.</summary>
    IReadOnlyList<string> SubmitArguments(BatchSubmission s);

    /// <summary>The job id from the submit command's standard output, or null.</summary>
    string? ParseSubmitted(string stdout);

    SubmitFailure ClassifySubmitFailure(string stderr);

    /// <summary>The batch system's own words from a command's standard error, on one line.</summary>
    string Message(string stderr);

    IReadOnlyList<string> StateArguments(string jobId);

    /// <summary>The job's status from the state command's output; null when the output is not about <paramref name="jobId"/>.</summary>
    BatchJobStatus? ParseState(string stdout, string jobId);

    /// <summary>Whether the state command's error means the job is no longer (or never was) known.</summary>
    bool IsUnknownJob(string stderr);

    /// <summary>Cancels <paramref name="jobId"/>, or, before its id is known, the user's jobs of that name.</summary>
    IReadOnlyList<string> CancelArguments(string? jobId, string jobName, string user);

    /// <summary>Environment names the batch system reads as options or settings; never passed from a job.</summary>
    bool IsInputVariable(string name);
}

public static class BatchSystems
{
    public static readonly IReadOnlyList<IBatchSystem> All = [SlurmSystem.Instance];

    public static IBatchSystem? Find(string name) => All.FirstOrDefault(s => s.Name == name);
}
