using Launcher.Core.Config;

namespace Launcher.Core.Tests;

/// <summary>ConfigLoader over named edits of one valid config: each error names the key, the line to edit and the fix.</summary>
public class ConfigLoaderTests
{
    // Line numbers matter: the cases below point at them.
    private const string Valid = """
        issuers:
          - name: gitlab
            issuer: https://gitlab.example.org
            audiences: [https://hpc.example.org]
            jwks_file: /var/lib/ci-launcher/jwks/gitlab.json
            algorithms: [RS256]
            clock_skew: 30s
            username_claim: user_login
        policy:
          rules:
            - name: hpc
              issuer: gitlab
              match: { project_path: "hpc/**" }
              action: allow
              run_as: "{user_login}"
        """;

    private const string SecondIssuer = """
          - name: gitlab
            issuer: https://gitlab2.example.org
            audiences: [https://hpc.example.org]
            jwks_file: /var/lib/ci-launcher/jwks/gitlab2.json
        """;

    /// <summary>Each case: the edit (old line text, new text), and the expected error key, line and message fragment (key null = valid).</summary>
    public static TheoryData<string, string, string, string?, int, string?> Cases => new()
    {
        { "the valid config", "", "", null, 0, null },
        { "clock_skew 5m", "clock_skew: 30s", "clock_skew: 5m", null, 0, null },
        { "clock_skew 1m30s", "clock_skew: 30s", "clock_skew: 1m30s", null, 0, null },
        { "clock_skew 300s (the maximum)", "clock_skew: 30s", "clock_skew: 300s", null, 0, null },
        { "clock_skew 301s", "clock_skew: 30s", "clock_skew: 301s", "issuers[0].clock_skew", 7, "more than the 300s maximum" },
        { "clock_skew 1h", "clock_skew: 30s", "clock_skew: 1h", "issuers[0].clock_skew", 7, "300s maximum" },
        { "clock_skew without unit", "clock_skew: 30s", "clock_skew: 30", "issuers[0].clock_skew", 7, "'30' is not a duration" },
        { "clock_skew negative", "clock_skew: 30s", "clock_skew: -5s", "issuers[0].clock_skew", 7, "not a duration" },
        { "clock_skew unknown unit", "clock_skew: 30s", "clock_skew: 30 seconds", "issuers[0].clock_skew", 7, "not a duration" },
        { "max_token_age 2h", "clock_skew: 30s", "clock_skew: 30s\n    max_token_age: 2h", null, 0, null },
        { "max_token_age 0s", "clock_skew: 30s", "clock_skew: 30s\n    max_token_age: 0s", "issuers[0].max_token_age", 8, "not a positive duration" },
        { "max_token_age words", "clock_skew: 30s", "clock_skew: 30s\n    max_token_age: two hours", "issuers[0].max_token_age", 8, "not a positive duration" },
        { "max_age 10m", "clock_skew: 30s", "clock_skew: 30s\n    max_age: 10m", null, 0, null },
        { "max_age 0s", "clock_skew: 30s", "clock_skew: 30s\n    max_age: 0s", "issuers[0].max_age", 8, "not a positive duration" },
        { "max_age 500ms", "clock_skew: 30s", "clock_skew: 30s\n    max_age: 500ms", "issuers[0].max_age", 8, "at least 1s" },
        { "max_age and max_token_age both", "clock_skew: 30s", "clock_skew: 30s\n    max_age: 10m\n    max_token_age: 10m", "issuers[0].max_token_age", 9, "older spelling of max_age" },
        { "max_lifetime 1h5m", "clock_skew: 30s", "clock_skew: 30s\n    max_lifetime: 1h5m", null, 0, null },
        { "max_lifetime 30d", "clock_skew: 30s", "clock_skew: 30s\n    max_lifetime: 30d", null, 0, null },
        { "max_lifetime 0s", "clock_skew: 30s", "clock_skew: 30s\n    max_lifetime: 0s", "issuers[0].max_lifetime", 8, "at least 1s" },
        { "max_lifetime words", "clock_skew: 30s", "clock_skew: 30s\n    max_lifetime: one day", "issuers[0].max_lifetime", 8, "'one day' is not a duration" },
        { "max_lifetime off", "clock_skew: 30s", "clock_skew: 30s\n    max_lifetime: off", "issuers[0].max_lifetime", 8, "not a duration" },
        { "algorithms none", "algorithms: [RS256]", "algorithms: [none]", "issuers[0].algorithms[0]", 6, "'none' is not allowed" },
        { "algorithms HS256", "algorithms: [RS256]", "algorithms: [RS256, HS256]", "issuers[0].algorithms[1]", 6, "'HS256' is not allowed" },
        { "algorithms lower case", "algorithms: [RS256]", "algorithms: [rs256]", "issuers[0].algorithms[0]", 6, "'rs256' is not allowed" },
        { "algorithms empty", "algorithms: [RS256]", "algorithms: []", "issuers[0].algorithms", 6, "at least one algorithm" },
        { "algorithms ES256 and PS384", "algorithms: [RS256]", "algorithms: [ES256, PS384]", null, 0, null },
        { "audiences empty", "audiences: [https://hpc.example.org]", "audiences: []", "issuers[0].audiences", 4, "at least one audience" },
        { "audiences with an empty entry", "audiences: [https://hpc.example.org]", "audiences: [https://hpc.example.org, \"\"]", "issuers[0].audiences[1]", 4, "is empty" },
        { "issuer http without the flag", "issuer: https://gitlab.example.org", "issuer: http://gitlab.example.org", "issuers[0].issuer", 3, "uses http; only https" },
        { "issuer http with the flag", "issuer: https://gitlab.example.org", "issuer: http://127.0.0.1:8080\n    insecure_allow_http_for_testing_only: true", null, 0, null },
        { "jwks_uri http without the flag", "clock_skew: 30s", "clock_skew: 30s\n    jwks_uri: http://gitlab.example.org/keys", "issuers[0].jwks_uri", 8, "uses http" },
        { "issuer ftp", "issuer: https://gitlab.example.org", "issuer: ftp://gitlab.example.org", "issuers[0].issuer", 3, "must be an https:// URL" },
        { "issuer not absolute", "issuer: https://gitlab.example.org", "issuer: gitlab.example.org", "issuers[0].issuer", 3, "not an absolute URL" },
        { "issuer empty", "issuer: https://gitlab.example.org", "issuer: \"\"", "issuers[0].issuer", 3, "is required" },
        { "duplicate issuer name", "policy:", SecondIssuer + "\npolicy:", "issuers[1].name", 9, "used twice" },
        { "duplicate issuer URL", "policy:", SecondIssuer.Replace("name: gitlab", "name: gitlab2").Replace("gitlab2.example", "gitlab.example") + "\npolicy:", "issuers[1].issuer", 10, "configured twice" },
        { "jwks_file relative", "jwks_file: /var/lib/ci-launcher/jwks/gitlab.json", "jwks_file: gitlab.json", "issuers[0].jwks_file", 5, "absolute path" },
        { "ca_file relative", "clock_skew: 30s", "clock_skew: 30s\n    ca_file: ca.pem", "issuers[0].ca_file", 8, "absolute path" },
        { "unknown key in an issuer", "clock_skew: 30s", "clock_skew: 30s\n    clock_skw: 30s", "yaml", 8, "unknown key 'clock_skw'" },
        { "unknown top-level key", "policy:", "issuer:\n  - x\npolicy:", "yaml", 9, "unknown key 'issuer'" },
        { "unknown key in a rule", "action: allow", "action: allow\n      run_ass: root", "yaml", 15, "unknown key 'run_ass'" },
        { "duplicate YAML key", "clock_skew: 30s", "clock_skew: 30s\n    clock_skew: 300s", "yaml", 8, "clock_skew" },
        { "username_claim empty", "username_claim: user_login", "username_claim: \"\"", "issuers[0].username_claim", 8, "must name a claim" },
        { "rule naming an unknown issuer", "  issuer: gitlab\n      match", "  issuer: gitlub\n      match", "policy.rules[0].issuer", 12, "issuer 'gitlub' is not one of" },
        { "allow rule constraining only aud", "match: { project_path: \"hpc/**\" }", "match: { aud: \"https://hpc.example.org\" }", "policy.rules[0].match", 13, "at least one claim besides iss/aud" },
        { "action neither allow nor deny", "action: allow", "action: permit", "policy.rules[0].action", 14, "must be 'allow' or 'deny'" },
        { "min_uid 0", "policy:", "accounts:\n  min_uid: 0\npolicy:", "accounts.min_uid", 10, "uid 0 is never allowed" },
        { "audit file relative", "policy:", "audit:\n  file: audit.log\npolicy:", "audit.file", 10, "absolute path" },
    };

    [Theory]
    [InlineData("a plain value", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/bin/sh\n", "(document)", 1)]
    [InlineData("a list", "- a\n- b\n", "yaml", 1)]
    [InlineData("a section that is a value", "issuers: 5\n", "yaml", 1)]
    [InlineData("a section that is a list", "launch:\n  - x\n", "yaml", 2)]
    public void A_document_of_the_wrong_shape_says_what_the_file_must_hold_and_never_names_dotnet_types(string name, string yaml, string key, int line)
    {
        var (config, errors) = ConfigLoader.Parse("/etc/ci-launcher/config.yaml", yaml);
        Assert.Null(config);
        var error = Assert.Single(errors);
        Assert.True((key, line) == (error.Key, error.Line), $"{name}: {error}");
        Assert.Contains("a value of the wrong kind", error.Message);
        Assert.DoesNotContain("Launcher.", error.Message);
        Assert.DoesNotContain("Exception", error.Message);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Validates(string name, string find, string replace, string? key, int line, string? text)
    {
        string yaml = find.Length == 0 ? Valid : Valid.Replace(find, replace);
        Assert.True(find.Length == 0 || yaml != Valid, $"{name}: the edit did not apply");
        var (config, errors) = ConfigLoader.Parse("/etc/ci-launcher/config.yaml", yaml);
        if (key is null)
        {
            Assert.True(config is not null, $"{name}: {string.Join("; ", errors)}");
            Assert.Empty(errors);
            return;
        }
        Assert.Null(config);
        var error = errors.FirstOrDefault(e => e.Key == key);
        Assert.True(error is not null, $"{name}: expected an error at {key}, got: {string.Join("; ", errors)}");
        Assert.Equal(line, error!.Line);
        Assert.Contains(text!, error.Message);
        // YAML syntax errors also name the column.
        string where = error.Column > 0 ? $"{line}:{error.Column}" : $"{line}";
        Assert.StartsWith($"/etc/ci-launcher/config.yaml:{where}: {key}: ", error.ToString());
        // What a caller of the setuid wrapper sees: the place, never the text.
        Assert.StartsWith($"/etc/ci-launcher/config.yaml:{where}: {key}: the configuration is not usable", error.Withheld());
        Assert.DoesNotContain(error.Message, error.Withheld());
    }

    [Fact]
    public void The_http_test_flag_is_reported_as_a_warning()
    {
        var (config, _) = ConfigLoader.Parse("c.yaml", Valid.Replace("issuer: https://gitlab.example.org", "issuer: http://127.0.0.1:8080\n    insecure_allow_http_for_testing_only: true"));
        Assert.Contains(config!.Warnings, w => w.Contains("insecure_allow_http_for_testing_only is set", StringComparison.Ordinal));
        Assert.True(config.Issuers[0].AllowHttp);
    }

    [Fact]
    public void Token_bounds_default_to_24h_lifetime_and_no_age_limit_and_read_both_age_spellings()
    {
        var issuer = ConfigLoader.Parse("c.yaml", Valid).Config!.Issuers[0];
        Assert.Equal(TimeSpan.FromHours(24), issuer.MaxLifetime);
        Assert.Null(issuer.MaxAge);

        var set = ConfigLoader.Parse("c.yaml", Valid.Replace("clock_skew: 30s", "clock_skew: 30s\n    max_lifetime: 2h\n    max_age: 10m")).Config!.Issuers[0];
        Assert.Equal(TimeSpan.FromHours(2), set.MaxLifetime);
        Assert.Equal(TimeSpan.FromMinutes(10), set.MaxAge);

        var older = ConfigLoader.Parse("c.yaml", Valid.Replace("clock_skew: 30s", "clock_skew: 30s\n    max_token_age: 2h")).Config!.Issuers[0];
        Assert.Equal(TimeSpan.FromHours(2), older.MaxAge);
    }

    [Theory]
    [InlineData("max_age: 24h", true)]
    [InlineData("max_age: 2d", true)]
    [InlineData("max_age: 23h59m59s", false)]
    [InlineData("max_lifetime: 1h\n    max_age: 1h", true)]
    [InlineData("max_lifetime: 1h\n    max_token_age: 30m", false)]
    public void A_max_age_that_can_never_refuse_is_a_warning(string settings, bool warned)
    {
        var (config, errors) = ConfigLoader.Parse("c.yaml", Valid.Replace("clock_skew: 30s", "clock_skew: 30s\n    " + settings));
        Assert.True(config is not null, string.Join("; ", errors));
        Assert.Equal(warned, config!.Warnings.Any(w => w.Contains("never refuses a token", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_empty_file_names_the_document()
    {
        var (config, errors) = ConfigLoader.Parse("c.yaml", "");
        Assert.Null(config);
        Assert.Equal("(document)", Assert.Single(errors).Key);
    }

    public static TheoryData<string, long?> Durations => new()
    {
        { "30s", 30_000 }, { "5m", 300_000 }, { "1m30s", 90_000 }, { "500ms", 500 }, { "2h", 7_200_000 }, { "1d", 86_400_000 },
        { "0s", 0 }, { "", null }, { "30", null }, { "s", null }, { "-1s", null }, { "1.5s", null }, { "30S", null }, { " 30s", null },
        { "30s ", null }, { "1y", null }, { "9999999999s", null },
    };

    [Theory]
    [MemberData(nameof(Durations))]
    public void Parses_durations(string text, long? milliseconds)
    {
        bool ok = Duration.TryParse(text, out var value);
        Assert.Equal(milliseconds is not null, ok);
        if (ok) Assert.Equal(milliseconds!.Value, (long)value.TotalMilliseconds);
    }
}
