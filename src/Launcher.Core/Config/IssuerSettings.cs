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
    /// <summary>
    /// Longest accepted exp - iat. 24h keeps GitLab jobs with long timeouts working (their ID
    /// tokens live for the job timeout) while a token an issuer minted for years is refused.
    /// </summary>
    public static readonly TimeSpan DefaultMaxLifetime = TimeSpan.FromHours(24);

    /// <summary>Longest accepted exp - iat (max_lifetime); iat is required because of it.</summary>
    public TimeSpan MaxLifetime { get; init; } = DefaultMaxLifetime;
    /// <summary>Longest accepted now - iat, beyond clock_skew (max_age, formerly max_token_age); null = not set.</summary>
    public TimeSpan? MaxAge { get; init; }
    public required string UsernameClaim { get; init; }
    public required string TokenVariable { get; init; }
    public bool AllowHttp { get; init; }
}
