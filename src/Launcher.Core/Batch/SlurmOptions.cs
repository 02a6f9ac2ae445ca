namespace Launcher.Core.Batch;

/// <summary>
/// sbatch's options (Slurm 22.05 to 24.x, from <c>sbatch --help</c> and sbatch(1)). An option
/// missing here is refused as unknown, which is the safe direction: a new Slurm option is
/// accepted only once someone has looked at what it does.
/// </summary>
public static class SlurmOptions
{
    private const string Identity = "it would submit the job as another user or group; the job always runs as the account the policy mapped";
    private const string Paths = "ci-launcher chooses where the job's output goes and streams it to the job log";
    private const string Directory = "the job always starts in the builds directory";
    private const string Environment = "the job's environment is the site's choice (--export=NONE plus executor.env_allowlist)";
    private const string Script = "the job runs the CI script, nothing else";
    private const string Waiting = "ci-launcher follows the job itself, and a job that does not start or ends early would never finish the stage";
    private const string Naming = "ci-launcher names the job after the CI job and sets its comment to the CI job's URL";
    private const string Cluster = "ci-launcher follows the job on the site's cluster only";
    private const string Requeue = "a CI script must run once; ci-launcher submits with --no-requeue";
    private const string Output = "ci-launcher reads sbatch's answer itself";
    private const string NoSubmit = "it does not submit a job";

    public static readonly OptionTable Table = new("sbatch",
    [
        // Never from a job: identity, paths, environment, script, waiting.
        new("uid", null, OptionValue.Required, Identity),
        new("gid", null, OptionValue.Required, Identity),
        new("output", 'o', OptionValue.Required, Paths),
        new("error", 'e', OptionValue.Required, Paths),
        new("input", 'i', OptionValue.Required, Paths),
        new("open-mode", null, OptionValue.Required, Paths),
        new("chdir", 'D', OptionValue.Required, Directory),
        new("export", null, OptionValue.Optional, Environment),
        new("export-file", null, OptionValue.Required, Environment),
        new("get-user-env", null, OptionValue.Optional, Environment),
        new("propagate", null, OptionValue.Optional, Environment),
        new("wrap", null, OptionValue.Required, Script),
        new("bbf", null, OptionValue.Required, Paths),
        new("nodefile", 'F', OptionValue.Required, Paths),
        new("container", null, OptionValue.Required, Script),
        new("batch", null, OptionValue.Required, Script),
        new("ignore-pbs", null, OptionValue.None, Script),
        new("wait", 'W', OptionValue.None, Waiting),
        new("wait-all-nodes", null, OptionValue.Required, Waiting),
        new("hold", 'H', OptionValue.None, Waiting),
        new("begin", 'b', OptionValue.Required, Waiting),
        new("dependency", 'd', OptionValue.Required, Waiting),
        new("kill-on-invalid-dep", null, OptionValue.Required, Waiting),
        new("array", 'a', OptionValue.Required, Waiting),
        new("deadline", null, OptionValue.Required, Waiting),
        new("test-only", null, OptionValue.None, Waiting),
        new("job-name", 'J', OptionValue.Required, Naming),
        new("comment", null, OptionValue.Required, Naming),
        new("clusters", 'M', OptionValue.Required, Cluster),
        new("cluster-constraint", null, OptionValue.Required, Cluster),
        new("requeue", null, OptionValue.None, Requeue),
        new("no-requeue", null, OptionValue.None, Requeue),
        new("parsable", null, OptionValue.None, Output),
        new("quiet", 'Q', OptionValue.None, Output),
        new("verbose", 'v', OptionValue.None, Output),
        new("help", 'h', OptionValue.None, NoSubmit),
        new("usage", null, OptionValue.None, NoSubmit),
        new("version", 'V', OptionValue.None, NoSubmit),

        // Bounded by the matched rule's batch: section.
        new("partition", 'p', OptionValue.Required, Role: BoundRole.Partition),
        new("account", 'A', OptionValue.Required, Role: BoundRole.Account),
        new("qos", 'q', OptionValue.Required, Role: BoundRole.Qos),
        new("time", 't', OptionValue.Required, Role: BoundRole.Time),

        // Resources and placement: a site may allow them (executor.batch.allowed_options).
        new("nodes", 'N', OptionValue.Required),
        new("ntasks", 'n', OptionValue.Required),
        new("ntasks-per-node", null, OptionValue.Required),
        new("ntasks-per-core", null, OptionValue.Required),
        new("ntasks-per-socket", null, OptionValue.Required),
        new("ntasks-per-gpu", null, OptionValue.Required),
        new("cpus-per-task", 'c', OptionValue.Required),
        new("cpus-per-gpu", null, OptionValue.Required),
        new("mincpus", null, OptionValue.Required),
        new("mem", null, OptionValue.Required),
        new("mem-per-cpu", null, OptionValue.Required),
        new("mem-per-gpu", null, OptionValue.Required),
        new("mem-bind", null, OptionValue.Required),
        new("tmp", null, OptionValue.Required),
        new("gres", null, OptionValue.Required),
        new("gres-flags", null, OptionValue.Required),
        new("gpus", 'G', OptionValue.Required),
        new("gpus-per-node", null, OptionValue.Required),
        new("gpus-per-socket", null, OptionValue.Required),
        new("gpus-per-task", null, OptionValue.Required),
        new("gpu-bind", null, OptionValue.Required),
        new("gpu-freq", null, OptionValue.Required),
        new("cpu-freq", null, OptionValue.Required),
        new("constraint", 'C', OptionValue.Required),
        new("prefer", null, OptionValue.Required),
        new("reservation", null, OptionValue.Required),
        new("exclusive", null, OptionValue.Optional),
        new("oversubscribe", 's', OptionValue.None),
        new("time-min", null, OptionValue.Required),
        new("hint", null, OptionValue.Required),
        new("sockets-per-node", null, OptionValue.Required),
        new("cores-per-socket", null, OptionValue.Required),
        new("threads-per-core", null, OptionValue.Required),
        new("extra-node-info", 'B', OptionValue.Required),
        new("distribution", 'm', OptionValue.Required),
        new("nodelist", 'w', OptionValue.Required),
        new("exclude", 'x', OptionValue.Required),
        new("contiguous", null, OptionValue.None),
        new("switches", null, OptionValue.Required),
        new("spread-job", null, OptionValue.None),
        new("use-min-nodes", null, OptionValue.None),
        new("licenses", 'L', OptionValue.Required),
        new("core-spec", 'S', OptionValue.Required),
        new("thread-spec", null, OptionValue.Required),
        new("network", null, OptionValue.Required),
        new("overcommit", 'O', OptionValue.None),
        new("no-kill", 'k', OptionValue.Optional),
        new("signal", null, OptionValue.Required),
        new("nice", null, OptionValue.Optional),
        new("priority", null, OptionValue.Required),
        new("mail-type", null, OptionValue.Required),
        new("mail-user", null, OptionValue.Required),
        new("wckey", null, OptionValue.Required),
        new("mcs-label", null, OptionValue.Required),
        new("acctg-freq", null, OptionValue.Required),
        new("profile", null, OptionValue.Required),
        new("power", null, OptionValue.Required),
        new("reboot", null, OptionValue.None),
        new("delay-boot", null, OptionValue.Required),
        new("bb", null, OptionValue.Required),
    ]);

    /// <summary>executor.batch.allowed_options when the site lists none.</summary>
    public static readonly IReadOnlyList<string> DefaultAllowed =
    [
        "partition", "account", "qos", "time", "nodes", "ntasks", "ntasks-per-node", "cpus-per-task",
        "mem", "mem-per-cpu", "mem-per-gpu", "gres", "gpus", "gpus-per-node", "gpus-per-task",
        "constraint", "reservation", "exclusive", "time-min", "hint",
    ];

    /// <summary>
    /// Slurm reads SBATCH_* and SLURM_* from sbatch's environment as options and settings; a job
    /// variable with such a name would get around the option checker.
    /// </summary>
    public static bool IsInputVariable(string name) =>
        name.StartsWith("SBATCH_", StringComparison.Ordinal) || name.StartsWith("SLURM_", StringComparison.Ordinal)
        || name.StartsWith("SALLOC_", StringComparison.Ordinal) || name.StartsWith("SRUN_", StringComparison.Ordinal)
        || name.StartsWith("SQUEUE_", StringComparison.Ordinal) || name.StartsWith("SCONTROL_", StringComparison.Ordinal)
        || name.StartsWith("SCANCEL_", StringComparison.Ordinal) || name.StartsWith("PMI", StringComparison.Ordinal);
}
