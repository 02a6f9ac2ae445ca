using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Issuing;
using Launcher.Core.Tests.Support;
using Launcher.Core.Tokens;

namespace Launcher.Core.Tests.Issuing;

/// <summary>The fixture world of <see cref="MemorySite"/> plus an issuing section and an ES256 site key.</summary>
public static class IssuingWorld
{
    public const string SiteIssuer = "https://hpc.example.org";
    public const string SshAudience = "ssh://login.example.org";

    public static readonly SiteKey Key = SiteKey.Generate("ES256");

    public const string Section = """
        issuing:
          issuer: https://hpc.example.org
          audiences: [ssh://login.example.org, https://data.example.org]
          from_issuers: [gitlab]
        """;

    public static MemorySite Site(string section = Section) => new(MemorySite.DefaultYaml() + "\n" + section);

    /// <summary>A login node: trusts only the site issuer, for its ssh audience, mapping sub directly.</summary>
    public const string LoginNodeYaml = """
        issuers:
          - name: site
            issuer: https://hpc.example.org
            audiences: [ssh://login.example.org]
            jwks_file: /var/lib/ci-launcher/jwks/site.json
            algorithms: [ES256]
            clock_skew: 30s
            max_lifetime: 5m
            username_claim: sub
        policy:
          rules:
            - name: site-tokens
              issuer: site
              match: { project_path: "hpc/**" }
              action: allow
        accounts:
          min_uid: 1000
        audit:
          file: ""
          syslog: false
        """;

    /// <summary>
    /// The issuing host accepting its own site tokens too: the site issuer is listed under
    /// issuers: without a max_lifetime, so it defaults to issuing.max_lifetime.
    /// </summary>
    public static MemorySite SelfAccepting(string section = Section)
    {
        string yaml = MemorySite.DefaultYaml(MemorySite.DefaultRules + """

                - name: site-tokens
                  issuer: site
                  match: { project_path: "hpc/**" }
                  action: allow
            """).Replace("issuers:\n", """
            issuers:
              - name: site
                issuer: https://hpc.example.org
                audiences: [ssh://login.example.org]
                jwks_file: /var/lib/ci-launcher/jwks/site.json
                algorithms: [ES256]
                username_claim: sub

            """) + "\n" + section;
        var site = new MemorySite(yaml);
        site.Keys.Set("site", SiteJwks.Jwks([Key]));
        return site;
    }

    public static Authorizer LoginNode(TimeProvider clock, params SiteKey[] published)
    {
        var (config, errors) = ConfigLoader.Parse("/etc/ci-launcher/config.yaml", LoginNodeYaml);
        Assert.True(config is not null, string.Join("\n", errors));
        return new Authorizer(config!, new MemoryKeySource().Set("site", SiteJwks.Jwks(published)), new FixtureAccounts(), clock);
    }
}
