namespace Launcher.Core.Config;

/// <summary>The <c>executor:</c> section: how GitLab custom-executor stages lay out a job (YAML, before validation).</summary>
public sealed class ExecutorConfig
{
    /// <summary>Template of the directory GitLab Runner checks out into, e.g. <c>/scratch/ci/{user}/builds/{runner_id}</c>.</summary>
    public string BuildsDir { get; set; } = "";
    public string CacheDir { get; set; } = "";
    /// <summary>Optional per-job scratch directory (the job's TMPDIR), removed by cleanup.</summary>
    public string? TempDir { get; set; }
    /// <summary>Root-owned directory holding per-job copies of the stage scripts.</summary>
    public string StateDir { get; set; } = "/run/ci-launcher/executor";
    public string? Hostname { get; set; }
    /// <summary>Names of <c>CUSTOM_ENV_*</c> variables (without the prefix; <c>*</c> allowed) passed to the job.</summary>
    public List<string> EnvAllowlist { get; set; } = [];
    /// <summary>Optional root-owned script run as the job's user at the end of prepare.</summary>
    public string? PrepareHook { get; set; }
    /// <summary>Optional: stages that run as batch jobs of the mapped user (Slurm).</summary>
    public BatchConfig? Batch { get; set; }
}
