namespace Launcher.Core.Config;

/// <summary>
/// <c>executor.batch:</c> which run_exec stages become batch jobs of the mapped user, and how
/// (YAML, before validation). See docs/executor.md, "Batch execution".
/// </summary>
public sealed class BatchConfig
{
    /// <summary>The batch system; only <c>slurm</c> is implemented.</summary>
    public string System { get; set; } = "";
    /// <summary>Stage names (globs, <c>*</c> within the name) that go to the batch system.</summary>
    public List<string> Stages { get; set; } = ["step_*", "build_script"];
    /// <summary>The CI variable (without CUSTOM_ENV_) holding the job author's scheduler options.</summary>
    public string ParametersVariable { get; set; } = "SCHEDULER_PARAMETERS";
    /// <summary>Long option names a job may use; empty = the built-in default list.</summary>
    public List<string> AllowedOptions { get; set; } = [];
    /// <summary>Directory holding the batch system's commands (sbatch, scontrol, scancel).</summary>
    public string BinDir { get; set; } = "/usr/bin";
    /// <summary>Optional SLURM_CONF for those commands (default: Slurm's own, /etc/slurm/slurm.conf or configless).</summary>
    public string? SlurmConf { get; set; }
    /// <summary>How often the job's state is asked for; the end is noticed at most this much (plus one query) late.</summary>
    public string PollInterval { get; set; } = "500ms";
    /// <summary>How often new output is copied to the job log.</summary>
    public string OutputInterval { get; set; } = "200ms";
    /// <summary>How long a job may stay pending before it is cancelled as a system failure; "0" = no limit.</summary>
    public string StartTimeout { get; set; } = "0";
    /// <summary>Template of the directory for the job's output files; default &lt;builds_dir&gt;/.ci-launcher/{job_id}.</summary>
    public string? OutputDir { get; set; }
}

/// <summary><c>policy.rules[].batch:</c> the bounds of a rule's batch jobs (YAML, before validation).</summary>
public sealed class BatchBoundsConfig
{
    public List<string> Partitions { get; set; } = [];
    /// <summary>Templates over the token's claims, e.g. <c>ci-{project_id}</c>; the first is the default.</summary>
    public List<string> Accounts { get; set; } = [];
    public List<string> Qos { get; set; } = [];
    public string? MaxTime { get; set; }
}
