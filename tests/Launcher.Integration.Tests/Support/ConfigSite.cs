using Launcher.TestIssuer;

namespace Launcher.Integration.Tests.Support;

/// <summary>
/// A site's config on disk, not installed: a trusted directory holding an issuer key, its JWKS and a
/// config that tests name with --config (as root), and that the area sites (LaunchSite, ExecutorSite)
/// make the <see cref="InstalledSite"/>'s when the test runs through the setuid wrapper.
/// </summary>
public sealed class ConfigSite : IDisposable
{
    public const string Issuer = "https://gitlab.example.org";
    public const string Audience = "https://hpc.example.org";

    /// <param name="issuerSetting">One more key of the issuer entry, e.g. "max_age: 10m".</param>
    public ConfigSite(string rules = DefaultRules, string accounts = "accounts:\n  min_uid: 1000\n", string extra = "", string issuerSetting = "")
    {
        Key = IssuerKey.CreateRsa("it-rsa-1");
        JwksPath = Dir.Write("gitlab.jwks.json", IssuerKey.Jwks(Key));
        AuditPath = System.IO.Path.Combine(Dir.Path, "audit.log");
        ConfigPath = Dir.Write("config.yaml", $"""
            issuers:
              - name: gitlab
                issuer: {Issuer}
                audiences: [{Audience}]
                jwks_file: {JwksPath}
                algorithms: [RS256]
                {issuerSetting}
            policy:
              rules:
            {rules}
            {accounts}
            audit:
              file: {AuditPath}
              syslog: false
            {extra}
            """);
    }

    public const string DefaultRules = """
            - name: hpc
              issuer: gitlab
              match: { project_path: "hpc/**" }
              action: allow
              run_as: "{user_login}"
        """;

    public TrustedDir Dir { get; } = new();
    public IssuerKey Key { get; }
    public string JwksPath { get; }
    public string ConfigPath { get; }
    public string AuditPath { get; }

    public string Token(string user, Action<Dictionary<string, object?>>? edit = null)
    {
        var claims = GitLabClaims.For(Issuer, Audience, user, DateTimeOffset.UtcNow);
        edit?.Invoke(claims);
        return Key.Sign(claims);
    }

    public string TokenFile(string user, Action<Dictionary<string, object?>>? edit = null) =>
        Dir.Write($"token-{Guid.NewGuid():N}.jwt", Token(user, edit) + "\n", (UnixFileMode)0b110_100_100);

    public void Dispose() => Dir.Dispose();
}
