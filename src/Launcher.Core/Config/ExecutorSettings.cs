using Launcher.Core.Executor;
using Launcher.Core.Policy;

namespace Launcher.Core.Config;

/// <summary>A validated <c>executor:</c> section: templates parsed, paths absolute.</summary>
public sealed class ExecutorSettings
{
    public required JobPathTemplate BuildsDir { get; init; }
    public required JobPathTemplate CacheDir { get; init; }
    public JobPathTemplate? TempDir { get; init; }
    public required string StateDir { get; init; }
    public string? Hostname { get; init; }
    public required IReadOnlyList<Glob> EnvAllowlist { get; init; }
    public string? PrepareHook { get; init; }
    /// <summary>Null: every stage runs on this host.</summary>
    public Launcher.Core.Batch.BatchSettings? Batch { get; init; }
}
