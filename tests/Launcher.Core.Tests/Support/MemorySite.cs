using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.TestIssuer;

namespace Launcher.Core.Tests.Support;

/// <summary>
/// One GitLab-like issuer with an RSA and an EC key, a second issuer with its own key, a config
/// and fixture accounts, all in memory: the world most unit tests decide in (the integration tests'
/// sites are on disk: ConfigSite, InstalledSite).
/// </summary>
public sealed class MemorySite
{
    public const string GitLab = "https://gitlab.example.org";
    public const string Other = "https://other.example.org";
    public const string Audience = "https://hpc.example.org";

    // Keys are expensive to generate; one set per test run is enough.
    public static readonly IssuerKey Rsa = IssuerKey.CreateRsa("gl-rsa-1");
    public static readonly IssuerKey Ec = IssuerKey.CreateEc("gl-ec-1");
    public static readonly IssuerKey OtherKey = IssuerKey.CreateRsa("other-1");
    public static readonly IssuerKey Stranger = IssuerKey.CreateRsa("gl-rsa-1");

    public static string DefaultYaml(string rules = DefaultRules, string extraIssuer = "") => $$"""
        issuers:
          - name: gitlab
            issuer: {{GitLab}}
            audiences: [{{Audience}}]
            jwks_file: /var/lib/ci-launcher/jwks/gitlab.json
            algorithms: [RS256, ES256]
            clock_skew: 30s
            username_claim: user_login
          - name: other
            issuer: {{Other}}
            audiences: [{{Audience}}]
            jwks_file: /var/lib/ci-launcher/jwks/other.json
            algorithms: [RS256]
        {{extraIssuer}}
        policy:
          rules:
        {{rules}}
        accounts:
          min_uid: 1000
        audit:
          file: /var/log/ci-launcher/audit.log
          syslog: false
        """;

    public const string DefaultRules = """
            - name: hpc-projects
              issuer: gitlab
              match: { project_path: "hpc/**", ref_protected: "true" }
              action: allow
              run_as: "{user_login}"
            - name: other-issuer
              issuer: other
              match: { project_path: "hpc/**" }
              action: allow
        """;

    public MemorySite(string? yaml = null, TimeProvider? clock = null)
    {
        var (config, errors) = ConfigLoader.Parse("/etc/ci-launcher/config.yaml", yaml ?? DefaultYaml());
        if (config is null) throw new InvalidOperationException(string.Join("\n", errors));
        Config = config;
        Clock = clock ?? new FixedClock();
        Keys = new MemoryKeySource()
            .Set("gitlab", IssuerKey.Jwks(Rsa, Ec))
            .Set("other", IssuerKey.Jwks(OtherKey));
        Accounts = new FixtureAccounts();
    }

    public SiteConfig Config { get; }
    public TimeProvider Clock { get; }
    public MemoryKeySource Keys { get; }
    public FixtureAccounts Accounts { get; }

    public Authorizer Authorizer => new(Config, Keys, Accounts, Clock);

    /// <summary>GitLab claims for <paramref name="user"/>, issued now by the fixed clock, valid one hour.</summary>
    public Dictionary<string, object?> Claims(string user = "alice") => GitLabClaims.For(GitLab, Audience, user, Clock.GetUtcNow());

    public string Token(string user = "alice", Action<Dictionary<string, object?>>? edit = null, IssuerKey? key = null)
    {
        var claims = Claims(user);
        edit?.Invoke(claims);
        return (key ?? Rsa).Sign(claims);
    }
}
