using System.Text.Json;
using Launcher.Core.Authorization;
using Launcher.Core.Policy;
using Launcher.Core.Templates;

namespace Launcher.Core.Tests.Templates;

/// <summary>The one <c>{name}</c> parser, over each use's placeholder names.</summary>
public class TemplateTests
{
    private static readonly JsonElement Claims = JsonDocument.Parse("""{"user_login": "alice", "project_id": 4242, "groups_direct": ["a"]}""").RootElement;

    public static TheoryData<string, string, Placeholders, string[]> Parses => new()
    {
        { "one claim", "{user_login}", Placeholders.Claims, ["{user_login}"] },
        { "claim inside text", "ci-{project_id}", Placeholders.Claims, ["ci-", "{project_id}"] },
        { "two claims", "{namespace_path}-{project_id}", Placeholders.Claims, ["{namespace_path}", "-", "{project_id}"] },
        { "no placeholder", "svc-ci", Placeholders.Claims, ["svc-ci"] },
        { "account path", "/scratch/{user}/{uid}", Placeholders.Account, ["/scratch/", "{user}", "/", "{uid}"] },
        { "job path", "/b/{user}/{runner_id}", Placeholders.Job, ["/b/", "{user}", "/", "{runner_id}"] },
    };

    [Theory]
    [MemberData(nameof(Parses))]
    public void Splits_literal_text_and_placeholders(string name, string source, Placeholders known, string[] parts)
    {
        var parsed = Template.Parse(source, known);
        Assert.True(parsed.Ok, $"{name}: {parsed}");
        Assert.Equal(parts, parsed.Value.Parts.Select(p => p.IsPlaceholder ? "{" + p.Text + "}" : p.Text));
        Assert.Equal(parts.All(p => !p.StartsWith('{')), parsed.Value.IsFixed);
    }

    public static TheoryData<string, string, Placeholders, string> Refusals => new()
    {
        { "empty", "", Placeholders.Claims, "is empty" },
        { "open brace never closed", "{user_login", Placeholders.Claims, "'{user_login' has a '{' without a matching '}'" },
        { "close brace first", "user}", Placeholders.Claims, "'user}' has a '}' without a matching '{'" },
        { "misspelt claim", "{user_logn}", Placeholders.Claims, "uses unknown claim '{user_logn}'; known claims are listed in ci-launcher.yaml(5)" },
        { "empty name", "a{}b", Placeholders.Claims, "uses unknown claim '{}'" },
        { "a claim is no path placeholder", "/scratch/{user_login}", Placeholders.Job, "uses unknown placeholder '{user_login}'; the placeholders are {user}, {uid}, {gid}, {job_id}, {project_id}, {runner_id}" },
        { "home is no job placeholder", "{home}/x", Placeholders.Job, "unknown placeholder '{home}'" },
        { "job id is no account placeholder", "/s/{job_id}", Placeholders.Account, "the placeholders are {user}, {uid}, {gid}, {home}" },
        { "nested braces", "{{user}}", Placeholders.Account, "unknown placeholder '{{user}'" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refuses_naming_what_is_wrong(string name, string source, Placeholders known, string expected)
    {
        var parsed = Template.Parse(source, known);
        Assert.False(parsed.Ok, name);
        Assert.Contains(expected, parsed.Refusal.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string?, string> Expansions => new()
    {
        { "string claim", "{user_login}", "alice", "" },
        { "number claim by its JSON text", "ci-{project_id}", "ci-4242", "" },
        { "missing claim", "{environment}", null, "'{environment}' needs claim 'environment', which the token lacks or is not a string" },
        { "array claim is no scalar", "{groups_direct}", null, "needs claim 'groups_direct'" },
    };

    [Theory]
    [MemberData(nameof(Expansions))]
    public void Expands_from_the_values_of_its_use(string name, string source, string? expected, string problem)
    {
        var expanded = Template.Parse(source, Placeholders.Claims).Value.Expand(n => ClaimValues.Scalar(Claims, n));
        Assert.True(expanded.Ok == expected is not null, $"{name}: {expanded}");
        if (expected is not null) Assert.Equal(expected, expanded.Value);
        else Assert.Contains(problem, expanded.Refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_value_is_unlabelled_until_its_caller_says_what_it_means()
    {
        var refusal = Template.Parse("{environment}", Placeholders.Claims).Value.Expand(_ => null).Refusal;
        Assert.Equal(Reasons.InternalError, refusal.Reason);
        Assert.Equal(Reasons.PolicyRunAsClaim, refusal.AsDenied(Reasons.PolicyRunAsClaim).Reason);
    }
}
