using System.Globalization;

namespace Launcher.Core.Batch;

/// <summary>
/// Slurm: <c>sbatch --parsable</c> to submit, <c>scontrol -o show job</c> to follow (one line of
/// <c>Key=Value</c> fields, stable across releases, and unlike squeue it still shows a finished
/// job, with its exit code, until MinJobAge), <c>scancel</c> to cancel.
/// </summary>
public sealed class SlurmSystem : IBatchSystem
{
    public static readonly SlurmSystem Instance = new();

    private SlurmSystem() { }

    public string Name => "slurm";
    public string DisplayName => "Slurm";
    public OptionTable Options => SlurmOptions.Table;
    public IReadOnlyList<string> DefaultAllowedOptions => SlurmOptions.DefaultAllowed;
    public string SubmitCommand => "sbatch";
    public string StateCommand => "scontrol";
    public string CancelCommand => "scancel";

    public IReadOnlyList<string> SubmitArguments(BatchSubmission s)
    {
        var args = new List<string>();
        foreach (var o in s.Options) args.Add(o.Render());
        // ci-launcher's own options come last: for a repeated option sbatch keeps the last one.
        args.Add("--parsable");
        args.Add("--no-requeue");
        args.Add(s.ExportNames.Count == 0 ? "--export=NONE" : "--export=NONE," + string.Join(',', s.ExportNames));
        args.Add("--job-name=" + s.JobName);
        if (s.Comment is { } comment) args.Add("--comment=" + comment);
        args.Add("--chdir=" + s.WorkingDirectory);
        args.Add("--output=" + s.OutputFile);
        args.Add("--open-mode=truncate");
        args.Add(s.Script);
        return args;
    }

    public string? ParseSubmitted(string stdout)
    {
        // --parsable: "jobid" or "jobid;cluster".
        string line = stdout.Trim().Split('\n')[^1].Trim();
        string id = line.Split(';')[0];
        return id.Length is > 0 and <= 20 && id.All(char.IsAsciiDigit) ? id : null;
    }

    public SubmitFailure ClassifySubmitFailure(string stderr) =>
        stderr.Contains("Unable to contact slurm controller", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("Could not establish a configuration source", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("Socket timed out", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("Connection refused", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("Zero Bytes were transmitted", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("Munge", StringComparison.OrdinalIgnoreCase)
            ? SubmitFailure.Unavailable
            : SubmitFailure.Rejected;

    public string Message(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.StartsWith("sbatch: error: ", StringComparison.Ordinal) ? l["sbatch: error: ".Length..] : l)
            .Where(l => l.Length > 0)
            .ToList();
        string text = string.Join("; ", lines);
        text = new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return text.Length > 400 ? text[..400] + "..." : text;
    }

    public IReadOnlyList<string> StateArguments(string jobId) => ["-o", "show", "job", jobId];

    public BatchJobStatus? ParseState(string stdout, string jobId)
    {
        var fields = Fields(stdout);
        if (fields.GetValueOrDefault("JobId") != jobId) return null;
        string state = fields.GetValueOrDefault("JobState", "");
        // "CANCELLED by 1001" (squeue), "COMPLETING+" style flags: the first word is the state.
        state = state.Split(' ', '+')[0];
        string reason = fields.GetValueOrDefault("Reason", "");
        var (exit, signal) = ExitCode(fields.GetValueOrDefault("ExitCode", "0:0"));
        return new BatchJobStatus
        {
            JobId = jobId,
            State = state,
            Phase = PhaseOf(state, reason),
            Reason = reason == "None" ? "" : reason,
            ExitCode = exit,
            Signal = signal,
            Nodes = Clean(fields.GetValueOrDefault("NodeList", "")),
            Partition = Clean(fields.GetValueOrDefault("Partition", "")),
            Account = Clean(fields.GetValueOrDefault("Account", "")),
            Qos = Clean(fields.GetValueOrDefault("QOS", "")),
            Elapsed = fields.GetValueOrDefault("RunTime", ""),
        };
    }

    public bool IsUnknownJob(string stderr) => stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase);

    public IReadOnlyList<string> CancelArguments(string? jobId, string jobName, string user) =>
        jobId is not null ? ["--quiet", jobId] : ["--quiet", "--name=" + jobName, "--user=" + user];

    public bool IsInputVariable(string name) => SlurmOptions.IsInputVariable(name);

    /// <summary>Slurm's job states (squeue(1), "JOB STATE CODES").</summary>
    public static BatchPhase PhaseOf(string state, string reason) => state switch
    {
        "PENDING" or "REQUEUED" or "REQUEUE_FED" or "REQUEUE_HOLD" or "RESV_DEL_HOLD" => BatchPhase.Pending,
        "RUNNING" or "CONFIGURING" or "COMPLETING" or "SUSPENDED" or "RESIZING" or "SIGNALING" or "STAGE_OUT" or "STOPPED" => BatchPhase.Running,
        // A launch failure (no such working directory, prolog error) is not the script's result.
        "COMPLETED" => BatchPhase.Finished,
        "FAILED" => reason is "JobLaunchFailure" or "Prolog" or "launch_failed_requeued_held" ? BatchPhase.Ended : BatchPhase.Finished,
        // TIMEOUT, NODE_FAIL, PREEMPTED, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE, CANCELLED, REVOKED, SPECIAL_EXIT
        // and any state a later Slurm adds: ended, and not by the script.
        _ => BatchPhase.Ended,
    };

    /// <summary>
    /// <c>Key=Value</c> fields of one <c>scontrol -o</c> line. A value may contain spaces (a working
    /// directory, a command): a word that does not start a new field continues the previous value.
    /// </summary>
    internal static Dictionary<string, string> Fields(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        string? key = null;
        foreach (var word in line.Trim().Split(' '))
        {
            int eq = word.IndexOf('=');
            if (eq > 0 && IsKey(word.AsSpan(0, eq)))
            {
                key = word[..eq];
                fields[key] = word[(eq + 1)..];
            }
            else if (key is not null)
            {
                fields[key] += " " + word;
            }
        }
        return fields;
    }

    private static bool IsKey(ReadOnlySpan<char> s)
    {
        if (!char.IsAsciiLetterUpper(s[0])) return false;
        foreach (char c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' or '/')) return false;
        return true;
    }

    private static (int Exit, int Signal) ExitCode(string text)
    {
        var parts = text.Split(':');
        int exit = parts.Length > 0 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int e) ? e : 0;
        int signal = parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int s) ? s : 0;
        return (Math.Clamp(exit, 0, 255), Math.Clamp(signal, 0, 127));
    }

    private static string Clean(string value) => value == "(null)" ? "" : value;
}
