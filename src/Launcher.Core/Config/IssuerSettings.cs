namespace Launcher.Core.Config;

/// <summary>A validated issuer: durations parsed, algorithm allowlist checked.</summary>
public sealed class IssuerSettings
{
    public required string Name { get; init; }
    public required string Issuer { get; init; }
    public required IReadOnlyList<string> Audiences { get; init; }
    public required string JwksFile { get; init; }
    public string? JwksUri { get; init; }
    public string? CaFile { get; init; }
    public required IReadOnlySet<string> Algorithms { get; init; }
    public required TimeSpan ClockSkew { get; init; }
    public TimeSpan? MaxTokenAge { get; init; }
    public required string UsernameClaim { get; init; }
    public required string TokenVariable { get; init; }
    public bool AllowHttp { get; init; }
}
