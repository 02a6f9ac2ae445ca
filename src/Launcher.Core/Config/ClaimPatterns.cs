namespace Launcher.Core.Config;

/// <summary>The value side of a <c>match:</c> entry: a single pattern or a YAML list of them.</summary>
public sealed class ClaimPatterns
{
    public ClaimPatterns()
    {
    }

    public ClaimPatterns(IReadOnlyList<string> patterns) => Patterns = [.. patterns];

    public List<string> Patterns { get; set; } = [];
}
