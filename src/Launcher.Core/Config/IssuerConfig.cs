namespace Launcher.Core.Config;

/// <summary>One trusted token issuer (YAML: an entry of <c>issuers:</c>).</summary>
public sealed class IssuerConfig
{
    public string Name { get; set; } = "";
    /// <summary>Compared byte for byte with the token's <c>iss</c>.</summary>
    public string Issuer { get; set; } = "";
    public List<string> Audiences { get; set; } = [];
    public string JwksFile { get; set; } = "";
    public string? JwksUri { get; set; }
    /// <summary>PEM bundle used instead of the system store when fetching this issuer's JWKS.</summary>
    public string? CaFile { get; set; }
    public List<string> Algorithms { get; set; } = ["RS256"];
    public string ClockSkew { get; set; } = "30s";
    /// <summary>Longest accepted exp - iat. Null: 24h, or issuing.max_lifetime for the site's own issuer.</summary>
    public string? MaxLifetime { get; set; }
    /// <summary>Longest accepted now - iat (plus clock_skew). Null: not bounded beyond max_lifetime.</summary>
    public string? MaxAge { get; set; }
    /// <summary>The older spelling of <see cref="MaxAge"/>, still accepted so existing configurations load.</summary>
    public string? MaxTokenAge { get; set; }
    public string UsernameClaim { get; set; } = "user_login";
    /// <summary>Job variable carrying the token; read as CUSTOM_ENV_&lt;name&gt; by the executor.</summary>
    public string TokenVariable { get; set; } = "CI_LAUNCHER_ID_TOKEN";
    /// <summary>Permits http:// issuer and JWKS URLs. Exists for loopback tests only; check-config warns loudly.</summary>
    public bool InsecureAllowHttpForTestingOnly { get; set; }
}
