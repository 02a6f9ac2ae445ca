using Launcher.Core.Authorization;
using Launcher.Core.Tests.Support;
using Launcher.TestIssuer;

namespace Launcher.Core.Tests.Policy;

/// <summary>
/// The rule semantics of issue 3, one named case per line, through the whole decision path
/// (signed token, rules, fixture accounts, pinned clock).
/// </summary>
public class PolicyCaseTests
{
    private const string Rules = """
            - name: deny-banned-project
              issuer: gitlab
              match: { project_id: "666" }
              action: deny
            - name: numbers-and-booleans
              issuer: gitlab
              match: { project_path: "num/*", runner_id: "17", ref_protected: "true" }
              action: allow
              run_as: "{user_login}"
            - name: one-segment
              issuer: gitlab
              match: { project_path: "hpc/*" }
              action: allow
              run_as: "{user_login}"
            - name: any-depth
              issuer: gitlab
              match: { project_path: "deep/**" }
              action: allow
              run_as: "{user_login}"
            - name: list-any-of
              issuer: gitlab
              match: { project_path: ["list/a", "list/b"], pipeline_source: [push, web] }
              action: allow
              run_as: "{user_login}"
            - name: array-claim
              issuer: gitlab
              match: { groups_direct: "team-*" }
              action: allow
              run_as: "{user_login}"
            - name: service-account
              issuer: gitlab
              match: { project_id: "777" }
              action: allow
              run_as: ci-runner
            - name: template
              issuer: gitlab
              match: { project_id: "888" }
              action: allow
              run_as: "{user_login}-{project_id}"
            - name: other-issuer
              issuer: other
              match: { project_path: "hpc/*" }
              action: allow
        """;

    private static readonly MemorySite Site = new(MemorySite.DefaultYaml(Rules));

    private static Action<Dictionary<string, object?>> Set(params (string Claim, object? Value)[] values) => c =>
    {
        foreach (var (claim, value) in values) c[claim] = value;
    };

    private static Action<Dictionary<string, object?>> Remove(string claim) => c => c.Remove(claim);

    public static TheoryData<string, Action<Dictionary<string, object?>>?, IssuerKey?, string, string?, string?> Cases => new()
    {
        // Globs: '*' inside one segment, '**' across segments.
        { "hpc/* matches hpc/solver", null, null, Reasons.Ok, "one-segment", "alice" },
        { "hpc/* refuses hpc/a/b", Set(("project_path", "hpc/a/b")), null, Reasons.PolicyNoMatch, null, null },
        { "hpc/* refuses the lookalike hpc-evil/x", Set(("project_path", "hpc-evil/x")), null, Reasons.PolicyNoMatch, null, null },
        { "hpc/* refuses hpc itself", Set(("project_path", "hpc")), null, Reasons.PolicyNoMatch, null, null },
        { "deep/** matches several segments", Set(("project_path", "deep/a/b/c")), null, Reasons.Ok, "any-depth", "alice" },
        { "deep/** refuses deeper-lookalike/x", Set(("project_path", "deeper/x")), null, Reasons.PolicyNoMatch, null, null },
        { "a value with a control character matches no glob", Set(("project_path", "hpc/x\n")), null, Reasons.PolicyNoMatch, null, null },
        { "matching is case-sensitive", Set(("project_path", "HPC/solver")), null, Reasons.PolicyNoMatch, null, null },

        // JSON text comparison of numbers and booleans.
        { "number and boolean claims compare by JSON text", Set(("project_path", "num/x"), ("runner_id", 17), ("ref_protected", true)), null, Reasons.Ok, "numbers-and-booleans", "alice" },
        { "string 'true' and boolean true are the same", Set(("project_path", "num/x"), ("runner_id", "17"), ("ref_protected", "true")), null, Reasons.Ok, "numbers-and-booleans", "alice" },
        { "number 18 is not '17'", Set(("project_path", "num/x"), ("runner_id", 18)), null, Reasons.PolicyNoMatch, null, null },
        { "boolean false is not 'true'", Set(("project_path", "num/x"), ("ref_protected", false)), null, Reasons.PolicyNoMatch, null, null },

        // Lists in the rule: any of them; every claim of the rule must hold.
        { "list value, second entry", Set(("project_path", "list/b"), ("pipeline_source", "web")), null, Reasons.Ok, "list-any-of", "alice" },
        { "list value, other claim fails", Set(("project_path", "list/a"), ("pipeline_source", "trigger")), null, Reasons.PolicyNoMatch, null, null },

        // Arrays in the token: any element.
        { "array claim, one element matches", Set(("project_path", "x/y"), ("groups_direct", new[] { "ops", "team-hpc" })), null, Reasons.Ok, "array-claim", "alice" },
        { "array claim, no element matches", Set(("project_path", "x/y"), ("groups_direct", new[] { "ops", "dev" })), null, Reasons.PolicyNoMatch, null, null },
        { "array of objects never matches", Set(("project_path", "x/y"), ("groups_direct", new object[] { new Dictionary<string, object?> { ["name"] = "team-x" } })), null, Reasons.PolicyNoMatch, null, null },

        // Unexpected shapes and missing claims: a clean denial, never an exception.
        { "object where a string is expected", Set(("project_path", new Dictionary<string, object?> { ["hpc/solver"] = true })), null, Reasons.PolicyNoMatch, null, null },
        { "null claim", Set(("project_path", null)), null, Reasons.PolicyNoMatch, null, null },
        { "missing claim never matches", Remove("project_path"), null, Reasons.PolicyNoMatch, null, null },

        // Order: the first matching rule decides.
        { "deny rule before the allow rule decides", Set(("project_id", "666")), null, Reasons.PolicyDenied, "deny-banned-project", null },
        { "first match wins over a later service-account rule", Set(("project_id", "777")), null, Reasons.Ok, "one-segment", "alice" },
        { "service account rule runs as the fixed account", Set(("project_path", "svc/x"), ("project_id", "777")), null, Reasons.Ok, "service-account", "ci-runner" },

        // Mapping.
        { "template over two claims", Set(("project_path", "t/x"), ("project_id", 888)), null, Reasons.AccountNotFound, "template", null },
        { "run_as claim is an object", Set(("user_login", new Dictionary<string, object?> { ["a"] = "b" })), null, Reasons.PolicyRunAsClaim, "one-segment", null },
        { "run_as claim is an array", Set(("user_login", new[] { "alice" })), null, Reasons.PolicyRunAsClaim, "one-segment", null },
        { "run_as claim missing", Remove("user_login"), null, Reasons.PolicyRunAsClaim, "one-segment", null },
        { "mapped name starts with '-'", Set(("user_login", "-rf")), null, Reasons.PolicyRunAsInvalid, "one-segment", null },
        { "mapped name with ':'", Set(("user_login", "a:b")), null, Reasons.PolicyRunAsInvalid, "one-segment", null },
        { "mapped name with '..'", Set(("user_login", "a..b")), null, Reasons.PolicyRunAsInvalid, "one-segment", null },
        { "mapped name with whitespace", Set(("user_login", "al ice")), null, Reasons.PolicyRunAsInvalid, "one-segment", null },
        { "mapped name with a newline", Set(("user_login", "alice\nroot")), null, Reasons.PolicyRunAsInvalid, "one-segment", null },
        { "mapped name all digits", Set(("user_login", "1001")), null, Reasons.PolicyRunAsInvalid, "one-segment", null },
        { "mapped name over 32 bytes", Set(("user_login", new string('a', 33))), null, Reasons.PolicyRunAsInvalid, "one-segment", null },
        { "mapped name not ASCII", Set(("user_login", "\u00e1lice")), null, Reasons.PolicyRunAsInvalid, "one-segment", null },

        // Issuers: rules of another issuer are skipped; without run_as the issuer's username_claim maps.
        { "other issuer's rule, username_claim maps", Set(("iss", MemorySite.Other)), MemorySite.OtherKey, Reasons.Ok, "other-issuer", "alice" },
        { "other issuer, no rule of its own matches", Set(("iss", MemorySite.Other), ("project_path", "deep/x")), MemorySite.OtherKey, Reasons.PolicyNoMatch, null, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decides(string name, Action<Dictionary<string, object?>>? edit, IssuerKey? key, string reason, string? rule, string? user)
    {
        var decision = Site.Authorizer.Authorize(Site.Token("alice", edit, key));
        Assert.True(reason == decision.Reason, $"{name}: expected {reason}, got {decision.Reason} ({decision.Detail})");
        Assert.True(rule == decision.Rule, $"{name}: expected rule {rule ?? "(none)"}, got {decision.Rule ?? "(none)"}");
        Assert.Equal(user, decision.Allowed ? decision.Account!.Name : null);
    }

    [Fact]
    public void Template_expands_claims_before_the_lookup()
    {
        var decision = Site.Authorizer.Authorize(Site.Token("alice", Set(("project_path", "t/x"), ("project_id", 888))));
        Assert.Equal("alice-888", decision.MappedUser);
    }

    [Fact]
    public void Explain_trace_names_the_failed_claim_and_the_matching_values()
    {
        var trace = new ListTrace();
        Site.Authorizer.Authorize(Site.Token("alice", Set(("project_path", "list/b"), ("pipeline_source", "web"))), trace);
        string text = string.Join("\n", trace.Lines);
        Assert.Contains("rule #2 'numbers-and-booleans': no match, claim 'project_path' = ['list/b'] matches none of ['num/*']", text);
        Assert.Contains("rule #5 'list-any-of': matched (project_path 'list/b' ~ 'list/b', pipeline_source 'web' ~ 'web') -> allow", text);
        Assert.Contains("account: uid 1001 >= min_uid 1000", text);
        Assert.Contains("account: 'alice' uid 1001 gid 1001 groups [alice,hpc-users] passes every check", text);
    }

    private sealed class ListTrace : ITrace
    {
        public List<string> Lines { get; } = [];
        public void Line(string text) => Lines.Add(text);
    }
}
