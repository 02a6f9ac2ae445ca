using Launcher.Core.Executor;
using Launcher.Core.Policy;

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
}
