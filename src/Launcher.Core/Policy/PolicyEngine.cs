using Launcher.Core.Authorization;
using System.Text.Json;

namespace Launcher.Core.Policy;

/// <summary>
/// Ordered rules, first match decides, no match denies. A rule matches when its issuer is the
/// token's issuer and every claim in <c>match</c> has at least one value matching one pattern.
/// </summary>
public static class PolicyEngine
{
    public static PolicyOutcome Evaluate(IReadOnlyList<CompiledRule> rules, string issuerName,
        JsonElement claims, string usernameClaim, ITrace? trace = null)
    {
        foreach (var rule in rules)
        {
            if (!string.Equals(rule.Issuer, issuerName, StringComparison.Ordinal))
            {
                trace?.Line($"rule #{rule.Position} '{rule.Name}': skipped, it is for issuer '{rule.Issuer}'");
                continue;
            }
            string? failed = FirstFailedClaim(rule, claims, out string why);
            if (failed is not null)
            {
                trace?.Line($"rule #{rule.Position} '{rule.Name}': no match, {why}");
                continue;
            }
            trace?.Line($"rule #{rule.Position} '{rule.Name}': matched ({Describe(rule)}) -> {rule.Action.ToString().ToLowerInvariant()}");
            if (rule.Action == RuleAction.Deny)
                return new PolicyOutcome(false, "policy.denied", $"rule '{rule.Name}' denies this job", rule, null);

            string? user;
            if (rule.RunAs is { } template)
            {
                user = template.Expand(claims, out string? missing);
                if (user is null)
                    return new PolicyOutcome(false, "policy.run_as_claim", $"rule '{rule.Name}': run_as '{template.Source}' needs claim '{missing}', which the token lacks or is not a string", rule, null);
            }
            else
            {
                user = ClaimValues.Scalar(claims, usernameClaim);
                if (user is null)
                    return new PolicyOutcome(false, "policy.run_as_claim", $"rule '{rule.Name}': the issuer's username_claim '{usernameClaim}' is missing or not a string", rule, null);
            }
            if (PosixUserName.Problem(user) is { } problem)
                return new PolicyOutcome(false, "policy.run_as_invalid", $"rule '{rule.Name}': mapped user name '{Printable(user)}' {problem}", rule, null);

            trace?.Line($"rule #{rule.Position} '{rule.Name}': maps to user '{user}'");
            return new PolicyOutcome(true, "ok", $"rule '{rule.Name}' allows, run as '{user}'", rule, user);
        }
        return new PolicyOutcome(false, "policy.no_match", $"no rule in policy.rules matches this token (issuer '{issuerName}')", null, null);
    }

    private static string? FirstFailedClaim(CompiledRule rule, JsonElement claims, out string why)
    {
        foreach (var (claim, patterns) in rule.Match)
        {
            if (!ClaimValues.Has(claims, claim))
            {
                why = $"claim '{claim}' is missing";
                return claim;
            }
            var candidates = ClaimValues.Candidates(claims, claim).ToList();
            if (candidates.Count == 0)
            {
                why = $"claim '{claim}' is not a string, number, boolean or array of them";
                return claim;
            }
            if (!candidates.Any(v => patterns.Any(p => p.IsMatch(v))))
            {
                why = $"claim '{claim}' = {Quote(candidates)} matches none of {Quote(patterns.Select(p => p.Pattern))}";
                return claim;
            }
        }
        why = "";
        return null;
    }

    private static string Describe(CompiledRule rule) =>
        rule.Match.Count == 0 ? "no claim constraints" : string.Join(", ", rule.Match.Select(m => $"{m.Claim} ~ {Quote(m.Patterns.Select(p => p.Pattern))}"));

    private static string Quote(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(v => $"'{Printable(v)}'")) + "]";

    /// <summary>Claims are attacker text: never echo control characters into a terminal or log.</summary>
    public static string Printable(string value)
    {
        var sb = new System.Text.StringBuilder(Math.Min(value.Length, 80));
        foreach (char c in value.Length > 80 ? value[..80] : value)
            sb.Append(char.IsControl(c) ? '?' : c);
        if (value.Length > 80) sb.Append("...");
        return sb.ToString();
    }
}
