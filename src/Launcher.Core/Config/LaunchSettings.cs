using Launcher.Core.Launch;
using Launcher.Core.Templates;

namespace Launcher.Core.Config;

/// <summary>A validated <c>launch:</c> section: templates parsed, umask and durations converted.</summary>
public sealed class LaunchSettings
{
    public string CallerGroup { get; init; } = "ci-launcher";
    public bool NoNewPrivs { get; init; } = true;
    public uint Umask { get; init; } = 0x3F; // 077
    public PathTemplate Workdir { get; init; } = PathTemplate.Home;
    public string Shell { get; init; } = "/bin/bash";
    public string Path { get; init; } = "/usr/local/bin:/usr/bin:/bin";
    public IReadOnlyList<string> Env { get; init; } = ["LANG", "LC_ALL", "TZ"];
    public bool PassToken { get; init; }
    public TimeSpan KillTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public IReadOnlyList<PathTemplate> CreateDirs { get; init; } = [];
    public Downscope Downscope { get; init; } = Downscope.Setuid;
    public Containment Containment { get; init; } = Containment.Auto;

    /// <summary>What a config without a <c>launch:</c> section means.</summary>
    public static LaunchSettings Default { get; } = new();
}
