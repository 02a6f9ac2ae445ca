using Launcher.Core.Launch;
using Launcher.Core.Policy;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Launcher.Core.Config;

/// <summary>
/// YAML text to a validated <see cref="SiteConfig"/>, or every error found. Pure: reading the
/// file and checking its ownership is the caller's job (Launcher.Posix.TrustedFile).
/// </summary>
public static partial class ConfigLoader
{
    private static readonly IDeserializer Deserializer = new StaticDeserializerBuilder(new ConfigYamlContext())
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithTypeConverter(new ClaimPatternsConverter())
        .WithDuplicateKeyChecking()
        .Build();

    public static (SiteConfig? Config, IReadOnlyList<ConfigError> Errors) Parse(string path, string yaml)
    {
        LauncherConfig? raw;
        YamlLineMap lines;
        try
        {
            lines = YamlLineMap.Build(yaml);
            raw = Deserializer.Deserialize<LauncherConfig>(yaml);
        }
        catch (YamlException e)
        {
            return (null, [new ConfigError(path, (int)e.Start.Line, "yaml", Describe(e))]);
        }
        if (raw is null)
            return (null, [new ConfigError(path, 0, "(document)", "the file is empty; see ci-launcher.yaml(5) for a minimal configuration")]);

        var v = new Validator(path, lines);
        var config = v.Validate(raw);
        return v.Errors.Count == 0 ? (config, []) : (null, v.Errors);
    }

    private static string Describe(YamlException e)
    {
        // YamlDotNet wraps the real cause; the innermost message names the unknown key or bad value.
        Exception inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        string message = inner.Message;
        int cut = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith('(') && cut > 0) message = message[(cut + 3)..];
        if (message.StartsWith("Property '", StringComparison.Ordinal) && message.Contains("not found on type", StringComparison.Ordinal))
        {
            string key = message.Split('\'')[1];
            return $"unknown key '{key}' (a typo? every key is listed in ci-launcher.yaml(5))";
        }
        return message;
    }

    private sealed partial class Validator(string path, YamlLineMap lines)
    {
        public List<ConfigError> Errors { get; } = [];
        private readonly List<string> _warnings = [];

        private void Error(string key, string message) => Errors.Add(new ConfigError(path, lines.LineOf(key), key, message));

        public SiteConfig? Validate(LauncherConfig raw)
        {
            var issuers = new List<IssuerSettings>();
            if (raw.Issuers.Count == 0)
                Error("issuers", "no issuer is configured; add one under 'issuers:' (name, issuer, audiences, jwks_file)");
            for (int i = 0; i < raw.Issuers.Count; i++)
                if (ValidateIssuer(raw.Issuers[i], $"issuers[{i}]", issuers) is { } settings)
                    issuers.Add(settings);

            var rules = ValidateRules(raw.Policy, issuers);
            ValidateAccounts(raw.Accounts);
            var launch = new LaunchValidator(Error).Validate(raw.Launch, issuers);
            if (raw.Audit.File.Length > 0 && !raw.Audit.File.StartsWith('/'))
                Error("audit.file", $"'{raw.Audit.File}' must be an absolute path");
            var issuing = raw.Issuing is null ? null : ValidateIssuing(raw.Issuing, issuers);

            if (Errors.Count > 0) return null;
            return new SiteConfig
            {
                Path = path,
                Issuers = issuers,
                Rules = rules,
                Accounts = raw.Accounts,
                Audit = raw.Audit,
                Launch = launch!,
                Raw = raw,
                Warnings = _warnings,
                Issuing = issuing,
            };
        }

        private IssuerSettings? ValidateIssuer(IssuerConfig c, string key, List<IssuerSettings> seen)
        {
            int before = Errors.Count;
            if (string.IsNullOrWhiteSpace(c.Name))
                Error($"{key}.name", "is required (a short name rules refer to, e.g. 'gitlab')");
            else if (seen.Any(s => s.Name == c.Name))
                Error($"{key}.name", $"issuer name '{c.Name}' is used twice; names must be unique");

            CheckUrl($"{key}.issuer", c.Issuer, c.InsecureAllowHttpForTestingOnly, required: true);
            if (c.JwksUri is not null) CheckUrl($"{key}.jwks_uri", c.JwksUri, c.InsecureAllowHttpForTestingOnly, required: true);
            if (c.InsecureAllowHttpForTestingOnly)
                _warnings.Add($"{key} ('{c.Name}'): insecure_allow_http_for_testing_only is set; http:// URLs are accepted. Never use this in production.");
            if (seen.Any(s => s.Issuer == c.Issuer) && c.Issuer.Length > 0)
                Error($"{key}.issuer", $"'{c.Issuer}' is configured twice; one entry per issuer");

            if (c.Audiences.Count == 0)
                Error($"{key}.audiences", "must list at least one audience (the aud your jobs request, e.g. https://hpc.example.org)");
            foreach (var (aud, idx) in c.Audiences.Select((a, idx) => (a, idx)))
                if (string.IsNullOrWhiteSpace(aud))
                    Error($"{key}.audiences[{idx}]", "is empty");

            if (string.IsNullOrWhiteSpace(c.JwksFile) || !c.JwksFile.StartsWith('/'))
                Error($"{key}.jwks_file", $"'{c.JwksFile}' must be an absolute path to the issuer's JWKS (e.g. /var/lib/ci-launcher/jwks/{(c.Name.Length > 0 ? c.Name : "gitlab")}.json)");
            if (c.CaFile is not null && !c.CaFile.StartsWith('/'))
                Error($"{key}.ca_file", $"'{c.CaFile}' must be an absolute path");

            if (c.Algorithms.Count == 0)
                Error($"{key}.algorithms", "must list at least one algorithm (GitLab and GitHub sign with RS256)");
            foreach (var (alg, idx) in c.Algorithms.Select((a, idx) => (a, idx)))
                if (!Algorithms.Asymmetric.Contains(alg))
                    Error($"{key}.algorithms[{idx}]", $"'{alg}' is not allowed; use one of {string.Join(", ", Algorithms.Asymmetric)} (symmetric and 'none' are never accepted)");

            TimeSpan skew = TimeSpan.Zero;
            if (!Duration.TryParse(c.ClockSkew, out skew))
                Error($"{key}.clock_skew", $"'{c.ClockSkew}' is not a duration; write e.g. 30s or 1m");
            else if (skew > TimeSpan.FromSeconds(300))
                Error($"{key}.clock_skew", $"'{c.ClockSkew}' is more than the 300s maximum; fix the clocks (NTP) instead");

            TimeSpan? maxAge = null;
            if (c.MaxTokenAge is not null)
            {
                if (!Duration.TryParse(c.MaxTokenAge, out var age) || age <= TimeSpan.Zero)
                    Error($"{key}.max_token_age", $"'{c.MaxTokenAge}' is not a positive duration; write e.g. 2h");
                else maxAge = age;
            }

            if (string.IsNullOrWhiteSpace(c.UsernameClaim))
                Error($"{key}.username_claim", "must name a claim (GitLab: user_login)");
            if (!IsVariableName(c.TokenVariable))
                Error($"{key}.token_variable", $"'{c.TokenVariable}' is not a valid environment variable name");

            if (Errors.Count > before) return null;
            return new IssuerSettings
            {
                Name = c.Name,
                Issuer = c.Issuer,
                Audiences = c.Audiences,
                JwksFile = c.JwksFile,
                JwksUri = c.JwksUri,
                CaFile = c.CaFile,
                Algorithms = new HashSet<string>(c.Algorithms, StringComparer.Ordinal),
                ClockSkew = skew,
                MaxTokenAge = maxAge,
                UsernameClaim = c.UsernameClaim,
                TokenVariable = c.TokenVariable,
                AllowHttp = c.InsecureAllowHttpForTestingOnly,
            };
        }

        private void CheckUrl(string key, string value, bool allowHttp, bool required)
        {
            if (string.IsNullOrEmpty(value))
            {
                if (required) Error(key, "is required (an https:// URL)");
                return;
            }
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Host.Length == 0 || value.Any(char.IsWhiteSpace))
            {
                Error(key, $"'{value}' is not an absolute URL");
                return;
            }
            if (uri.Scheme == "https") return;
            if (uri.Scheme == "http" && allowHttp) return;
            Error(key, uri.Scheme == "http"
                ? $"'{value}' uses http; only https is accepted (insecure_allow_http_for_testing_only exists for loopback tests)"
                : $"'{value}' must be an https:// URL");
        }

        private static bool IsVariableName(string name) =>
            name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

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
                string label = $"rule #{i + 1} '{r.Name}'";
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
                    if (patterns.Patterns.Count == 0)
                        Error($"{key}.match.{claim}", $"{label}: an empty list matches nothing; remove the claim or list values");
                    var globs = new List<Glob>();
                    foreach (var p in patterns.Patterns)
                    {
                        if (Glob.TryCreate(p, out var g, out string? problem)) globs.Add(g!);
                        else Error($"{key}.match.{claim}", $"{label}: {problem}");
                    }
                    match.Add((claim, globs));
                }
                if (action == RuleAction.Allow && !r.Match.Keys.Any(k => k is not ("iss" or "aud")))
                    Error($"{key}.match", $"{label}: an allow rule must constrain at least one claim besides iss/aud (e.g. project_id or namespace_id), or it would admit every job of the issuer");

                RunAsTemplate? runAs = null;
                if (r.RunAs is not null)
                {
                    if (action == RuleAction.Deny)
                        Error($"{key}.run_as", $"{label}: a deny rule cannot have run_as");
                    else if (!RunAsTemplate.TryParse(r.RunAs, out runAs, out string? problem))
                        Error($"{key}.run_as", $"{label}: run_as {problem}");
                    else
                    {
                        foreach (var claim in runAs!.ClaimNames)
                            if (!KnownClaims.Names.Contains(claim))
                                Error($"{key}.run_as", $"{label}: run_as uses unknown claim '{{{claim}}}'");
                        if (runAs.IsFixed && PosixUserName.Problem(runAs.Source) is { } bad)
                            Error($"{key}.run_as", $"{label}: run_as '{runAs.Source}' {bad}");
                    }
                }

                if (Errors.Count == before)
                    compiled.Add(new CompiledRule { Name = r.Name, Position = i + 1, Issuer = r.Issuer, Match = match, Action = action, RunAs = runAs });
            }
            return compiled;
        }

        private void ValidateAccounts(AccountsConfig a)
        {
            if (a.MinUid < 1 || a.MinUid > uint.MaxValue)
                Error("accounts.min_uid", $"{a.MinUid} is out of range; uid 0 is never allowed, so min_uid is at least 1 (default 1000)");
            if (a.MinGid < 0 || a.MinGid > uint.MaxValue)
                Error("accounts.min_gid", $"{a.MinGid} is out of range");
            foreach (var (shell, idx) in a.AllowedShells.Select((s, idx) => (s, idx)))
                if (!shell.StartsWith('/'))
                    Error($"accounts.allowed_shells[{idx}]", $"'{shell}' must be an absolute path");
        }
    }
}
