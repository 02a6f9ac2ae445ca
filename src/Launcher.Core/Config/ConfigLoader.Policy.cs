using Launcher.Core.Batch;
using Launcher.Core.Policy;
using Launcher.Core.Templates;

namespace Launcher.Core.Config;

public static partial class ConfigLoader
{
    private sealed partial class Validator
    {
        private List<CompiledRule> ValidateRules(PolicyConfig policy, List<IssuerSettings> issuers)
        {
            var compiled = new List<CompiledRule>();
            if (policy.Rules.Count == 0)
                Error("policy.rules", "is empty; add at least one rule (a config that should deny everything says so with one 'action: deny' rule)");
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < policy.Rules.Count; i++)
            {
                var r = policy.Rules[i];
                string key = $"policy.rules[{i}]";
                // Errors name the rule both ways: the name is what the audit trail shows, the position
                // is what still identifies it when the name is missing or duplicated.
                string label = r.Name.Length > 0 ? $"rule #{i + 1} '{r.Name}'" : $"rule #{i + 1} (unnamed)";
                int before = Errors.Count;
                if (string.IsNullOrWhiteSpace(r.Name))
                    Error($"{key}.name", $"rule #{i + 1} has no name; every rule needs one for the audit trail");
                else if (!names.Add(r.Name))
                    Error($"{key}.name", $"{label}: the name is already used by an earlier rule");

                if (!issuers.Any(s => s.Name == r.Issuer) && !Errors.Any(e => e.Key.StartsWith("issuers", StringComparison.Ordinal)))
                    Error($"{key}.issuer", $"{label}: issuer '{r.Issuer}' is not one of the configured issuers ({string.Join(", ", issuers.Select(s => s.Name))})");

                RuleAction action = RuleAction.Deny;
                if (r.Action == "allow") action = RuleAction.Allow;
                else if (r.Action != "deny")
                    Error($"{key}.action", $"{label}: action '{r.Action}' must be 'allow' or 'deny'");

                var match = new List<(string, IReadOnlyList<Glob>)>();
                foreach (var (claim, patterns) in r.Match)
                {
                    // A misspelt claim never matches: harmless in an allow rule, but it would
                    // silently switch a deny rule off. So every claim name must be one issuers send.
                    if (!KnownClaims.Names.Contains(claim))
                        Error($"{key}.match.{claim}", $"{label}: match uses claim '{claim}', which no supported issuer sends (a typo? known claims are listed in ci-launcher.yaml(5))");
                    if (patterns.Patterns.Count == 0)
                        Error($"{key}.match.{claim}", $"{label}: an empty list matches nothing; remove the claim or list values");
                    var globs = new List<Glob>();
                    foreach (var p in patterns.Patterns)
                    {
                        var glob = Glob.Parse(p);
                        if (glob.Ok) globs.Add(glob.Value);
                        else Error($"{key}.match.{claim}", $"{label}: {glob.Refusal.Detail}");
                    }
                    match.Add((claim, globs));
                }
                if (action == RuleAction.Allow && !match.Any(m => ConstrainsJob(m.Item1, m.Item2)))
                    Error($"{key}.match", $"{label}: an allow rule must constrain at least one claim besides iss/aud with a non-wildcard value (e.g. project_id or namespace_id), or it would admit every job of the issuer");

                Template? runAs = null;
                if (r.RunAs is not null)
                {
                    var parsed = Template.Parse(r.RunAs, Placeholders.Claims);
                    if (action == RuleAction.Deny)
                        Error($"{key}.run_as", $"{label}: a deny rule cannot have run_as");
                    else if (!parsed.Ok)
                        Error($"{key}.run_as", $"{label}: run_as {parsed.Refusal.Detail}");
                    else if (parsed.Value.IsFixed && PosixUserName.Check(r.RunAs) is { } invalid)
                        Error($"{key}.run_as", $"{label}: run_as '{r.RunAs}' {invalid.Detail}");
                    else
                        runAs = parsed.Value;
                }

                var batch = r.Batch is null ? null : ValidateBatchBounds(r.Batch, $"{key}.batch", label, action);
                if (Errors.Count == before)
                    compiled.Add(new CompiledRule { Name = r.Name, Position = i + 1, Issuer = r.Issuer, Match = match, Action = action, RunAs = runAs, Batch = batch });
            }
            return compiled;
        }

        /// <summary>
        /// Whether a match entry narrows down which jobs a rule admits. iss and aud are already
        /// fixed by the issuer entry, the time claims and jti differ per token, and a pattern made
        /// only of wildcards admits every value: none of them picks out projects or users.
        /// </summary>
        private static bool ConstrainsJob(string claim, IReadOnlyList<Glob> patterns) =>
            claim is not ("iss" or "aud" or "exp" or "nbf" or "iat" or "jti")
            && patterns.Count > 0 && patterns.All(p => !p.IsWildcardOnly);

        private BatchBounds? ValidateBatchBounds(BatchBoundsConfig b, string key, string label, RuleAction action)
        {
            int before = Errors.Count;
            if (action == RuleAction.Deny)
                Error(key, $"{label}: a deny rule admits no job, so it cannot have batch bounds");
            foreach (var (list, values) in new[] { ("partitions", b.Partitions), ("qos", b.Qos) })
                for (int i = 0; i < values.Count; i++)
                    if (values[i].Length == 0 || values[i].Any(ch => char.IsWhiteSpace(ch) || char.IsControl(ch) || ch is ',' or '='))
                        Error($"{key}.{list}[{i}]", $"{label}: '{values[i]}' is not a Slurm {(list == "qos" ? "QOS" : "partition")} name");
            var accounts = new List<Template>();
            for (int i = 0; i < b.Accounts.Count; i++)
            {
                var parsed = Template.Parse(b.Accounts[i], Placeholders.Claims);
                if (!parsed.Ok)
                {
                    Error($"{key}.accounts[{i}]", $"{label}: account template {parsed.Refusal.Detail}");
                    continue;
                }
                if (b.Accounts[i].Any(ch => char.IsWhiteSpace(ch) || char.IsControl(ch) || ch is ',' or '='))
                    Error($"{key}.accounts[{i}]", $"{label}: '{b.Accounts[i]}' is not a Slurm account name");
                accounts.Add(parsed.Value);
            }
            TimeSpan? maxTime = null;
            if (b.MaxTime is not null)
            {
                if (!Duration.TryParse(b.MaxTime, out var t) || t < TimeSpan.FromMinutes(1))
                    Error($"{key}.max_time", $"{label}: '{b.MaxTime}' is not a duration of at least 1m; write e.g. 30m or 2h");
                else maxTime = t;
            }
            if (Errors.Count > before) return null;
            return new BatchBounds { Partitions = b.Partitions, Accounts = accounts, Qos = b.Qos, MaxTime = maxTime };
        }
    }
}
