using Launcher.Core.Policy;
using Launcher.Core.Templates;

namespace Launcher.Core.Config;

/// <summary>A validated <c>executor:</c> section: templates parsed, paths absolute.</summary>
public sealed class ExecutorSettings
{
    public required PathTemplate BuildsDir { get; init; }
    public required PathTemplate CacheDir { get; init; }
    public PathTemplate? TempDir { get; init; }
    public required string StateDir { get; init; }
    public string? Hostname { get; init; }
    public required IReadOnlyList<Glob> EnvAllowlist { get; init; }
    public string? PrepareHook { get; init; }
    /// <summary>Null: every stage runs on this host.</summary>
    public BatchSettings? Batch { get; init; }
}
