using Launcher.Core.Config;
using Launcher.Core.Tests.Support;

namespace Launcher.Core.Tests.Issuing;

/// <summary>The issuing: section: defaults, and every mistake reported with its key and line.</summary>
public class IssuingConfigTests
{
    private static (SiteConfig? Config, IReadOnlyList<ConfigError> Errors) Parse(string section) =>
        ConfigLoader.Parse("/etc/ci-launcher/config.yaml", MemorySite.DefaultYaml() + "\n" + section);

    [Fact]
    public void Defaults_apply_and_a_claims_list_replaces_the_default()
    {
        var (config, errors) = Parse(IssuingWorld.Section);
        Assert.Empty(errors);
        var issuing = config!.Issuing!;
        Assert.Equal("/etc/ci-launcher/keys", issuing.KeyDir);
        Assert.Equal(TimeSpan.FromMinutes(5), issuing.MaxLifetime);
        Assert.Equal(TimeSpan.FromMinutes(5), issuing.ClockSkew);
        Assert.Equal(IssuingSettings.DefaultClaims, issuing.Claims);

        var (custom, _) = Parse(IssuingWorld.Section + "\n  claims: [sha]");
        Assert.Equal(["sha"], custom!.Issuing!.Claims);
        Assert.Null(ConfigLoader.Parse("c", MemorySite.DefaultYaml()).Config!.Issuing);
    }

    public static TheoryData<string, string, string, string> Mistakes => new()
    {
        { "http issuer", "issuer: http://hpc.example.org", "issuing.issuer", "http" },
        { "issuer with trailing slash", "issuer: https://hpc.example.org/", "issuing.issuer", "trailing slash" },
        { "no audiences", "audiences: []", "issuing.audiences", "must list" },
        { "unknown from_issuers name", "from_issuers: [gitlabb]", "issuing.from_issuers[0]", "not the name" },
        { "empty from_issuers", "from_issuers: []", "issuing.from_issuers", "must name" },
        { "reserved claim", "claims: [project_id, sub]", "issuing.claims[1]", "written by the issuer" },
        { "unknown claim", "claims: [projct_path]", "issuing.claims[0]", "not a known" },
        { "lifetime syntax", "max_lifetime: 5 minutes", "issuing.max_lifetime", "not a duration" },
        { "lifetime above an hour", "max_lifetime: 2h", "issuing.max_lifetime", "more than" },
        { "relative key_dir", "key_dir: keys", "issuing.key_dir", "absolute" },
        { "unknown key", "audience: [x]", "yaml", "unknown key 'audience'" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Reports_mistakes_with_key_and_line(string name, string line, string key, string message)
    {
        // The mistaken line replaces (or adds to) the valid section's own line for that key.
        string field = line.Split(':')[0];
        var lines = IssuingWorld.Section.Split('\n').Where(l => !l.TrimStart().StartsWith(field + ":", StringComparison.Ordinal)).ToList();
        lines.Add("  " + line);
        var (config, errors) = Parse(string.Join("\n", lines));
        Assert.True(config is null, $"{name}: accepted");
        var error = Assert.Single(errors);
        Assert.Equal(key, error.Key);
        Assert.Contains(message, error.Message);
        Assert.True(error.Line > 0, $"{name}: no line number");
    }

    [Fact]
    public void The_site_issuer_cannot_obtain_site_tokens()
    {
        string yaml = MemorySite.DefaultYaml().Replace("issuers:\n", """
            issuers:
              - name: site
                issuer: https://hpc.example.org
                audiences: [ssh://login.example.org]
                jwks_file: /var/lib/ci-launcher/jwks/site.json
                algorithms: [ES256]
                username_claim: sub

            """) + "\n" + IssuingWorld.Section.Replace("from_issuers: [gitlab]", "from_issuers: [gitlab, site]");
        var (config, errors) = ConfigLoader.Parse("c", yaml);
        Assert.Null(config);
        Assert.Contains(errors, e => e.Key == "issuing.from_issuers[1]" && e.Message.Contains("site issuer itself"));
    }

    /// <summary>
    /// A host that issues site tokens and also accepts them (its own issuer listed under issuers:)
    /// bounds that entry's max_lifetime by issuing.max_lifetime unless it says otherwise: every
    /// genuine site token fits, and 24h would be far looser than anything the site mints.
    /// </summary>
    public static TheoryData<string, string, string, string, long> SiteIssuerLifetimes => new()
    {
        // name, issuing.max_lifetime line, the site entry's own max_lifetime line, the issuer url of the entry, expected seconds
        { "issuing default 5m", "", "", "https://hpc.example.org", 300 },
        { "issuing.max_lifetime 2m", "max_lifetime: 2m", "", "https://hpc.example.org", 120 },
        { "the entry's own max_lifetime wins", "max_lifetime: 2m", "max_lifetime: 10m", "https://hpc.example.org", 600 },
        { "an entry for another issuer keeps 24h", "max_lifetime: 2m", "", "https://hpc2.example.org", 86400 },
    };

    [Theory]
    [MemberData(nameof(SiteIssuerLifetimes))]
    public void The_site_issuers_own_entry_defaults_to_issuing_max_lifetime(string name, string issuingLine, string entryLine, string entryIssuer, long seconds)
    {
        string yaml = MemorySite.DefaultYaml().Replace("issuers:\n", $$"""
            issuers:
              - name: site
                issuer: {{entryIssuer}}
                audiences: [ssh://login.example.org]
                jwks_file: /var/lib/ci-launcher/jwks/site.json
                algorithms: [ES256]
                username_claim: sub
                {{entryLine}}

            """) + "\n" + IssuingWorld.Section + (issuingLine.Length > 0 ? "\n  " + issuingLine : "");
        var (config, errors) = ConfigLoader.Parse("c", yaml);
        Assert.True(config is not null, $"{name}: {string.Join("; ", errors)}");
        Assert.Equal(TimeSpan.FromSeconds(seconds), config!.IssuerByName("site")!.MaxLifetime);
        Assert.Equal(TimeSpan.FromHours(24), config.IssuerByName("gitlab")!.MaxLifetime);
    }
}
