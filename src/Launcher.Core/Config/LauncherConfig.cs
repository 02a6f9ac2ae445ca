namespace Launcher.Core.Config;

/// <summary>The whole of /etc/ci-launcher/config.yaml, as deserialized (before semantic validation).</summary>
public sealed class LauncherConfig
{
    public List<IssuerConfig> Issuers { get; set; } = [];
    public PolicyConfig Policy { get; set; } = new();
    public AccountsConfig Accounts { get; set; } = new();
    public AuditConfig Audit { get; set; } = new();
    public IssuingConfig? Issuing { get; set; }
    public LaunchConfig Launch { get; set; } = new();
}
