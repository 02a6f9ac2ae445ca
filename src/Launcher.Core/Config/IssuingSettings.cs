namespace Launcher.Core.Config;

/// <summary>The validated <c>issuing:</c> section: durations parsed, issuer names resolved.</summary>
public sealed class IssuingSettings
{
    /// <summary>
    /// Default job claims. The issue asked for project_id, project_path, pipeline_id, job_id, ref,
    /// sha and runner_id, but with those an ES256 token is about 600 bytes, over the 512-byte PAM
    /// response limit (PAM_MAX_RESP_SIZE) that ssh logins pass tokens through. These four identify
    /// the project and the job; sites that verify only over HTTP may add the rest.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultClaims = ["project_id", "project_path", "job_id", "ref"];

    /// <summary>Claims the issuer writes itself; copying them from the CI token would let the job choose them.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        "iss", "sub", "aud", "exp", "nbf", "iat", "jti",
    };

    /// <summary>Site tokens are short-lived assertions, never long-lived secrets.</summary>
    public static readonly TimeSpan LongestLifetime = TimeSpan.FromHours(1);

    public required string Issuer { get; init; }
    public required string KeyDir { get; init; }
    public required IReadOnlyList<string> Audiences { get; init; }
    public required TimeSpan MaxLifetime { get; init; }
    public required IReadOnlySet<string> FromIssuers { get; init; }
    public required IReadOnlyList<string> Claims { get; init; }
    public required TimeSpan ClockSkew { get; init; }
}
