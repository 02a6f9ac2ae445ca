namespace Launcher.Core.Config;

/// <summary>
/// The site token issuer (YAML: <c>issuing:</c>). Absent means this host issues no site tokens;
/// <c>token issue</c> and <c>keys</c> then refuse with issuing.not_configured.
/// </summary>
public sealed class IssuingConfig
{
    /// <summary>The site's own issuer URL, the <c>iss</c> of every site token; relying parties fetch /.well-known/openid-configuration under it.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>Root-only directory (0700) holding the private keys and the key-state file.</summary>
    public string KeyDir { get; set; } = "/etc/ci-launcher/keys";

    /// <summary>The only audiences a job may request (exact match), e.g. ssh://login.example.org.</summary>
    public List<string> Audiences { get; set; } = [];

    public string MaxLifetime { get; set; } = "5m";

    /// <summary>Names of entries of <c>issuers:</c> whose CI tokens may be exchanged for site tokens.</summary>
    public List<string> FromIssuers { get; set; } = [];

    /// <summary>Claims copied from the CI token when present. <c>ci_issuer</c> is the CI token's <c>iss</c>.</summary>
    public List<string> Claims { get; set; } = [.. IssuingSettings.DefaultClaims];

    /// <summary>
    /// The largest clock skew any relying party allows. A key stops being published only once
    /// every token it signed is past exp plus this skew everywhere (see <c>keys retire</c>).
    /// </summary>
    public string ClockSkew { get; set; } = "5m";
}
