using Launcher.Core.Batch;
using Launcher.Core.Policy;
using Launcher.Core.Templates;

namespace Launcher.Core.Config;

/// <summary>A validated <c>executor.batch:</c> section.</summary>
public sealed class BatchSettings
{
    public required IBatchSystem System { get; init; }
    public required IReadOnlyList<Glob> Stages { get; init; }
    public required string ParametersVariable { get; init; }
    public required IReadOnlySet<string> AllowedOptions { get; init; }
    public required string BinDir { get; init; }
    public string? SlurmConf { get; init; }
    public required TimeSpan PollInterval { get; init; }
    public required TimeSpan OutputInterval { get; init; }
    /// <summary>Null: a job may stay pending until the CI job's own timeout.</summary>
    public TimeSpan? StartTimeout { get; init; }
    /// <summary>Null: &lt;builds dir&gt;/.ci-launcher/&lt;job id&gt;.</summary>
    public PathTemplate? OutputDir { get; init; }

    /// <summary>Whether run_exec's <paramref name="stage"/> goes to the batch system.</summary>
    public bool Covers(string stage) => Stages.Any(g => g.IsMatch(stage));
}
