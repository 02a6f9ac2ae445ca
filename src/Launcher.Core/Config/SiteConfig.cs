using Launcher.Core.Launch;
using Launcher.Core.Policy;

namespace Launcher.Core.Config;

/// <summary>The configuration after semantic validation: everything the decision path needs, already checked.</summary>
public sealed class SiteConfig
{
    public required string Path { get; init; }
    public required IReadOnlyList<IssuerSettings> Issuers { get; init; }
    public required IReadOnlyList<CompiledRule> Rules { get; init; }
    public required AccountsConfig Accounts { get; init; }
    public required AuditConfig Audit { get; init; }
    public required LauncherConfig Raw { get; init; }
    public LaunchSettings Launch { get; init; } = LaunchSettings.Default;

    /// <summary>The site token issuer, or null when this host issues none.</summary>
    public IssuingSettings? Issuing { get; init; }

    /// <summary>Warnings that do not stop loading (e.g. the http test flag); check-config prints them.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public IssuerSettings? IssuerByIss(string iss) =>
        Issuers.FirstOrDefault(i => string.Equals(i.Issuer, iss, StringComparison.Ordinal));

    public IssuerSettings? IssuerByName(string name) =>
        Issuers.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.Ordinal));
}
