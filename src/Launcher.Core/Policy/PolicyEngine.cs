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
            string? failed = FirstFailedClaim(rule, claims, out string why, out List<string> matched);
            if (failed is not null)
            {
                trace?.Line($"rule #{rule.Position} '{rule.Name}': no match, {why}{(matched.Count > 0 ? $" (before that: {string.Join(", ", matched)})" : "")}");
                continue;
            }
            trace?.Line($"rule #{rule.Position} '{rule.Name}': matched ({string.Join(", ", matched)}) -> {rule.Action.ToString().ToLowerInvariant()}");
            var user = MappedUser(rule, claims, usernameClaim);
            if (user.Ok) trace?.Line($"rule #{rule.Position} '{rule.Name}': maps to user '{user.Value}'");
            return new PolicyOutcome(rule, user);
        }
        return new PolicyOutcome(null, Refusal.Denied(Reasons.PolicyNoMatch, $"no rule in policy.rules matches this token (issuer '{issuerName}')"));
    }

    /// <summary>The account name a matched rule maps the token to, or why it maps to none.</summary>
    private static Outcome<string> MappedUser(CompiledRule rule, JsonElement claims, string usernameClaim)
    {
        if (rule.Action == RuleAction.Deny)
            return Refusal.Denied(Reasons.PolicyDenied, $"rule '{rule.Name}' denies this job");
        string user;
        if (rule.RunAs is { } template)
        {
            var expanded = template.Expand(name => ClaimValues.Scalar(claims, name));
            if (!expanded.Ok) return Refusal.Denied(Reasons.PolicyRunAsClaim, $"rule '{rule.Name}': run_as {expanded.Refusal.Detail}");
            user = expanded.Value;
        }
        else if (ClaimValues.Scalar(claims, usernameClaim) is { } claimed)
            user = claimed;
        else
            return Refusal.Denied(Reasons.PolicyRunAsClaim, $"rule '{rule.Name}': the issuer's username_claim '{usernameClaim}' is missing or not a string");
        if (PosixUserName.Check(user) is { } invalid)
            return Refusal.Denied(Reasons.PolicyRunAsInvalid, $"rule '{rule.Name}': mapped user name '{Printable(user)}' {invalid.Detail}");
        return Outcome.Of(user);
    }

    /// <summary>
    /// The first claim of the rule that does not hold, with why; <paramref name="matched"/> says,
    /// for each claim that held, which value met which pattern (explain prints both).
    /// A claim of an unexpected shape (object, null, array of objects) simply does not match:
    /// a token is attacker-shaped input and must never turn into an exception here.
    /// </summary>
    private static string? FirstFailedClaim(CompiledRule rule, JsonElement claims, out string why, out List<string> matched)
    {
        matched = [];
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
            string? hit = null;
            foreach (var value in candidates)
            {
                var pattern = patterns.FirstOrDefault(p => p.IsMatch(value));
                if (pattern is null) continue;
                hit = $"{claim} '{Printable(value)}' ~ '{pattern.Pattern}'";
                break;
            }
            if (hit is null)
            {
                why = $"claim '{claim}' = {Quote(candidates)} matches none of {Quote(patterns.Select(p => p.Pattern))}";
                return claim;
            }
            matched.Add(hit);
        }
        why = "";
        return null;
    }

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
