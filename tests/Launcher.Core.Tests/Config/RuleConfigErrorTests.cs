using Launcher.Core.Config;
using Launcher.Core.Tests.Support;

namespace Launcher.Core.Tests.Config;

/// <summary>
/// Bad rules are refused at load, and each error names the rule by name and position and points
/// at the line to edit (the last line containing <c>marker</c>).
/// </summary>
public class RuleConfigErrorTests
{
    private const string Good = """
            - name: good
              issuer: gitlab
              match: { project_id: "1" }
              action: allow
        """;

    public static TheoryData<string, string, string, string> Cases => new()
    {
        {
            "allow rule with no claim constraint",
            Good + "\n" + """
                - name: open-door
                  issuer: gitlab
                  match: { iss: "https://gitlab.example.org", aud: "https://hpc.example.org" }
                  action: allow
            """,
            "match: { iss", "rule #2 'open-door': an allow rule must constrain at least one claim besides iss/aud"
        },
        {
            "allow rule with no match at all",
            """
                - name: everything
                  issuer: gitlab
                  action: allow
            """,
            "- name: everything", "rule #1 'everything': an allow rule must constrain"
        },
        {
            "allow rule constraining only with a bare wildcard",
            """
                - name: wildcard
                  issuer: gitlab
                  match: { project_path: "**" }
                  action: allow
            """,
            "match: { project_path", "rule #1 'wildcard': an allow rule must constrain"
        },
        {
            "unknown claim in a run_as template",
            Good + "\n" + """
                - name: typo
                  issuer: gitlab
                  match: { project_id: "2" }
                  action: allow
                  run_as: "{user_logn}"
            """,
            "run_as", "rule #2 'typo': run_as '{user_logn}' uses unknown claim '{user_logn}'"
        },
        {
            "unbalanced run_as template",
            """
                - name: brace
                  issuer: gitlab
                  match: { project_id: "2" }
                  action: allow
                  run_as: "{user_login"
            """,
            "run_as", "rule #1 'brace': run_as '{user_login' has a '{' without a matching '}'"
        },
        {
            "fixed run_as that is no user name",
            """
                - name: colon
                  issuer: gitlab
                  match: { project_id: "2" }
                  action: allow
                  run_as: "ci:runner"
            """,
            "run_as", "rule #1 'colon': run_as 'ci:runner' contains ':'"
        },
        {
            "unknown claim in match (would silently disable a deny rule)",
            Good + "\n" + """
                - name: deny-typo
                  issuer: gitlab
                  match: { projct_id: "666" }
                  action: deny
            """,
            "projct_id", "rule #2 'deny-typo': match uses claim 'projct_id'"
        },
        {
            "'**' inside a segment",
            """
                - name: prefix
                  issuer: gitlab
                  match: { project_path: "hpc**" }
                  action: allow
            """,
            "project_path", "rule #1 'prefix': 'hpc**': '**' must be a whole path segment"
        },
        {
            "'***'",
            """
                - name: stars
                  issuer: gitlab
                  match: { project_path: "hpc/***" }
                  action: allow
            """,
            "project_path", "rule #1 'stars': 'hpc/***' contains '***'"
        },
        {
            "empty pattern",
            """
                - name: empty
                  issuer: gitlab
                  match: { project_id: "" }
                  action: allow
            """,
            "project_id", "rule #1 'empty': an empty pattern matches only an empty claim"
        },
        {
            "empty pattern list",
            """
                - name: nothing
                  issuer: gitlab
                  match: { project_id: [] }
                  action: deny
            """,
            "project_id", "rule #1 'nothing': an empty list matches nothing"
        },
        {
            "rule naming an unknown issuer",
            Good + "\n" + """
                - name: stranger
                  issuer: gitlub
                  match: { project_id: "2" }
                  action: allow
            """,
            "issuer: gitlub", "rule #2 'stranger': issuer 'gitlub' is not one of the configured issuers (gitlab, other)"
        },
        {
            "duplicate rule names",
            Good + "\n" + """
                - name: good
                  issuer: gitlab
                  match: { project_id: "2" }
                  action: allow
            """,
            "- name: good", "rule #2 'good': the name is already used by an earlier rule"
        },
        {
            "rule without a name",
            """
                - issuer: gitlab
                  match: { project_id: "2" }
                  action: allow
            """,
            "- issuer: gitlab", "rule #1 has no name"
        },
        {
            "action neither allow nor deny",
            """
                - name: maybe
                  issuer: gitlab
                  match: { project_id: "2" }
                  action: permit
            """,
            "action: permit", "rule #1 'maybe': action 'permit' must be 'allow' or 'deny'"
        },
        {
            "deny rule with run_as",
            """
                - name: deny-as
                  issuer: gitlab
                  match: { project_id: "2" }
                  action: deny
                  run_as: alice
            """,
            "run_as", "rule #1 'deny-as': a deny rule cannot have run_as"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Refuses(string name, string rules, string marker, string message)
    {
        string yaml = MemorySite.DefaultYaml(rules);
        var (config, errors) = ConfigLoader.Parse("/etc/ci-launcher/config.yaml", yaml);
        Assert.Null(config);
        var error = errors.FirstOrDefault(e => e.Message.Contains(message, StringComparison.Ordinal));
        Assert.True(error is not null, $"{name}: no error containing \"{message}\"; got:\n{string.Join("\n", errors)}");
        int policyLine = LineOf(yaml, "policy:");
        int expectedLine = LineOf(yaml, marker, after: policyLine);
        Assert.True(expectedLine == error!.Line, $"{name}: error on line {error.Line}, expected line {expectedLine} ('{marker.Trim()}'): {error}");
        Assert.StartsWith("/etc/ci-launcher/config.yaml:", error.ToString());
    }

    [Fact]
    public void Empty_rule_list_is_refused()
    {
        var (config, errors) = ConfigLoader.Parse("c.yaml", MemorySite.DefaultYaml("    []"));
        Assert.Null(config);
        Assert.Contains(errors, e => e.Key == "policy.rules" && e.Message.Contains("is empty", StringComparison.Ordinal) && e.Line > 0);
    }

    [Fact]
    public void Missing_policy_section_is_refused()
    {
        string yaml = MemorySite.DefaultYaml("    []").Replace("policy:\n  rules:\n    []", "", StringComparison.Ordinal);
        var (config, errors) = ConfigLoader.Parse("c.yaml", yaml);
        Assert.Null(config);
        Assert.Contains(errors, e => e.Key == "policy.rules");
    }

    [Theory]
    [InlineData("deny_users: [\"bad name\"]", "accounts.deny_users[0]")]
    [InlineData("allow_users: [\"-x\"]", "accounts.allow_users[0]")]
    [InlineData("deny_groups: [\"a:b\"]", "accounts.deny_groups[0]")]
    [InlineData("min_uid: 0", "accounts.min_uid")]
    [InlineData("allowed_shells: [bash]", "accounts.allowed_shells[0]")]
    public void Bad_account_settings_are_refused(string setting, string key)
    {
        string yaml = MemorySite.DefaultYaml().Replace("  min_uid: 1000", "  " + setting, StringComparison.Ordinal);
        var (config, errors) = ConfigLoader.Parse("c.yaml", yaml);
        Assert.Null(config);
        Assert.Contains(errors, e => e.Key == key);
    }

    [Fact]
    public void Min_gid_defaults_to_100()
    {
        var (config, _) = ConfigLoader.Parse("c.yaml", MemorySite.DefaultYaml());
        Assert.Equal(100, config!.Accounts.MinGid);
        Assert.Equal(1000, config.Accounts.MinUid);
    }

    /// <summary>The 1-based line of the LAST line containing the marker (so "- name: good" finds the duplicate).</summary>
    private static int LineOf(string text, string marker, int after = 0)
    {
        var lines = text.Split('\n');
        for (int i = lines.Length - 1; i >= after; i--)
            if (lines[i].Contains(marker, StringComparison.Ordinal)) return i + 1;
        throw new InvalidOperationException($"marker '{marker}' not in the YAML");
    }
}
