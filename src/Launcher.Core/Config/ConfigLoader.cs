using Launcher.Core.Launch;
using Launcher.Core.Executor;
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
        try
        {
            raw = Deserializer.Deserialize<LauncherConfig>(yaml);
        }
        catch (YamlException e)
        {
            return (null, [new ConfigError(path, (int)e.Start.Line, "yaml", Describe(e), (int)e.Start.Column)]);
        }
        if (raw is null)
            return (null, [new ConfigError(path, 0, "(document)", "the file is empty; see ci-launcher.yaml(5) for a minimal configuration")]);

        var v = new Validator(path, yaml);
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

    private sealed partial class Validator(string path, string yaml)
    {
        public List<ConfigError> Errors { get; } = [];
        private readonly List<string> _warnings = [];

        /// <summary>
        /// Line numbers only serve error messages: the text is parsed for them the first time an
        /// error needs one, not on every load (a second YAML parse, a fifth of loading a config).
        /// </summary>
        private YamlLineMap? _lines;

        private void Error(string key, string message) => Errors.Add(new ConfigError(path, (_lines ??= YamlLineMap.Build(yaml)).LineOf(key), key, message));

        public SiteConfig? Validate(LauncherConfig raw)
        {
            var issuers = new List<IssuerSettings>();
            if (raw.Issuers.Count == 0)
                Error("issuers", "no issuer is configured; add one under 'issuers:' (name, issuer, audiences, jwks_file)");
            var siteIssuer = SiteIssuerLifetime(raw.Issuing);
            for (int i = 0; i < raw.Issuers.Count; i++)
                if (ValidateIssuer(raw.Issuers[i], $"issuers[{i}]", issuers, siteIssuer) is { } settings)
                    issuers.Add(settings);

            var rules = ValidateRules(raw.Policy, issuers);
            ValidateAccounts(raw.Accounts);
            var launch = new LaunchValidator(Error).Validate(raw.Launch, issuers);
            if (raw.Audit.File.Length > 0 && !raw.Audit.File.StartsWith('/'))
                Error("audit.file", $"'{raw.Audit.File}' must be an absolute path");
            var executor = raw.Executor is null ? null : ValidateExecutor(raw.Executor, issuers);
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
                Executor = executor,
                Warnings = _warnings,
                Issuing = issuing,
            };
        }

        /// <summary>
        /// The site issuer and its issuing.max_lifetime when this host issues site tokens. Its own
        /// entry under issuers: then defaults to that max_lifetime instead of 24h: every site token
        /// lives at most that long, so one that lives longer was not minted by this site's rules.
        /// An invalid issuing.max_lifetime is reported by ValidateIssuing; the entry keeps 24h.
        /// </summary>
        private static (string Issuer, TimeSpan MaxLifetime)? SiteIssuerLifetime(IssuingConfig? issuing) =>
            issuing is not null && Duration.TryParse(issuing.MaxLifetime, out var lifetime) && lifetime >= TimeSpan.FromSeconds(1)
                ? (issuing.Issuer, lifetime)
                : null;

        private IssuerSettings? ValidateIssuer(IssuerConfig c, string key, List<IssuerSettings> seen, (string Issuer, TimeSpan MaxLifetime)? siteIssuer)
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

            TimeSpan maxLifetime = siteIssuer is { } site && site.Issuer == c.Issuer ? site.MaxLifetime : IssuerSettings.DefaultMaxLifetime;
            if (c.MaxLifetime is not null && (!Duration.TryParse(c.MaxLifetime, out maxLifetime) || maxLifetime < TimeSpan.FromSeconds(1)))
                Error($"{key}.max_lifetime", $"'{c.MaxLifetime}' is not a duration of at least 1s; write e.g. 24h (GitLab ID tokens live for the job timeout, plus up to 5m)");

            // max_token_age is the first spelling of max_age: still read, so existing files keep loading.
            if (c.MaxAge is not null && c.MaxTokenAge is not null)
                Error($"{key}.max_token_age", "is the older spelling of max_age, which is also set; keep only max_age");
            string ageKey = c.MaxAge is not null ? "max_age" : "max_token_age";
            string? ageText = c.MaxAge ?? c.MaxTokenAge;
            TimeSpan? maxAge = null;
            if (ageText is not null)
            {
                if (!Duration.TryParse(ageText, out var age) || age < TimeSpan.FromSeconds(1))
                    Error($"{key}.{ageKey}", $"'{ageText}' is not a positive duration of at least 1s; write e.g. 10m");
                else maxAge = age;
            }
            // A token is refused at exp anyway, so now - iat can never pass exp - iat (+ skew): a
            // max_age at or above max_lifetime looks like a bound but never refuses anything.
            if (maxAge is { } setAge && setAge >= maxLifetime && maxLifetime >= TimeSpan.FromSeconds(1))
                _warnings.Add($"{key} ('{c.Name}'): {ageKey} {ageText} is not shorter than max_lifetime {Duration.Readable((long)maxLifetime.TotalSeconds)}, so it never refuses a token; lower it or remove it");

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
                MaxLifetime = maxLifetime,
                MaxAge = maxAge,
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
                        if (Glob.TryCreate(p, out var g, out string? problem)) globs.Add(g!);
                        else Error($"{key}.match.{claim}", $"{label}: {problem}");
                    }
                    match.Add((claim, globs));
                }
                if (action == RuleAction.Allow && !match.Any(m => ConstrainsJob(m.Item1, m.Item2)))
                    Error($"{key}.match", $"{label}: an allow rule must constrain at least one claim besides iss/aud with a non-wildcard value (e.g. project_id or namespace_id), or it would admit every job of the issuer");

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
        private ExecutorSettings? ValidateExecutor(ExecutorConfig e, List<IssuerSettings> issuers)
        {
            int before = Errors.Count;
            var builds = ExecutorTemplate("executor.builds_dir", e.BuildsDir, required: true, perJob: false);
            var cache = ExecutorTemplate("executor.cache_dir", e.CacheDir, required: true, perJob: false);
            var temp = e.TempDir is null ? null : ExecutorTemplate("executor.temp_dir", e.TempDir, required: true, perJob: true);
            if (JobPathTemplate.PathProblem(e.StateDir) is not null || e.StateDir.Contains('{'))
                Error("executor.state_dir", $"'{e.StateDir}' must be a fixed absolute path without placeholders (default /run/ci-launcher/executor)");
            if (e.PrepareHook is not null && (JobPathTemplate.PathProblem(e.PrepareHook) is not null || e.PrepareHook.Contains('{')))
                Error("executor.prepare_hook", $"'{e.PrepareHook}' must be a fixed absolute path to a root-owned script");
            if (e.Hostname is { } host && (host.Length == 0 || host.Length > 253 || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
                Error("executor.hostname", $"'{host}' is not a host name (letters, digits, '-' and '.')");

            var tokenVariables = new HashSet<string>(issuers.Select(i => i.TokenVariable), StringComparer.Ordinal);
            var allow = new List<Glob>();
            for (int i = 0; i < e.EnvAllowlist.Count; i++)
            {
                string name = e.EnvAllowlist[i];
                if (name.Length == 0 || char.IsAsciiDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '*'))
                    Error($"executor.env_allowlist[{i}]", $"'{name}' must be a variable name without the CUSTOM_ENV_ prefix ('*' allowed)");
                // A pattern may cover reserved names; those are dropped when the job starts. A literal reserved name is a mistake.
                else if (!name.Contains('*') && CustomEnvironment.NameProblem(name, tokenVariables) is { } problem)
                    Error($"executor.env_allowlist[{i}]", $"'{name}' {problem}; it is never passed to a job");
                else if (Glob.TryCreate(name, out var glob, out string? globProblem)) allow.Add(glob!);
                else Error($"executor.env_allowlist[{i}]", globProblem!);
            }

            var batch = e.Batch is null ? null : ValidateBatch(e.Batch);

            if (Errors.Count > before) return null;
            return new ExecutorSettings
            {
                BuildsDir = builds!,
                CacheDir = cache!,
                TempDir = temp,
                StateDir = e.StateDir,
                Hostname = e.Hostname,
                EnvAllowlist = allow,
                PrepareHook = e.PrepareHook,
                Batch = batch,
            };
        }

        private JobPathTemplate? ExecutorTemplate(string key, string source, bool required, bool perJob)
        {
            if (source.Length == 0)
            {
                if (required) Error(key, "is required (e.g. /scratch/ci/{user}/builds/{runner_id})");
                return null;
            }
            if (!JobPathTemplate.TryParse(source, out var template, out string? problem))
            {
                Error(key, problem!);
                return null;
            }
            // Without a per-user segment two users would share (and could tamper with) one directory.
            if (!template!.Uses("user") && !template.Uses("uid"))
                Error(key, $"'{source}' must contain {{user}} or {{uid}} so that every user gets their own directory");
            if (perJob && !template.Uses("job_id"))
                Error(key, $"'{source}' must contain {{job_id}}; cleanup removes it at the end of the job");
            return template;
        }

        private void ValidateAccounts(AccountsConfig a)
        {
            if (a.MinUid < 1 || a.MinUid > uint.MaxValue)
                Error("accounts.min_uid", $"{a.MinUid} is out of range; uid 0 is never allowed, so min_uid is at least 1 (default 1000)");
            if (a.MinGid < 0 || a.MinGid > uint.MaxValue)
                Error("accounts.min_gid", $"{a.MinGid} is out of range");
            // Names are compared byte for byte with the mapped user and its groups; one that could
            // never be a name is a typo that would leave a deny entry without effect.
            foreach (var (list, names) in new[] { ("allow_users", a.AllowUsers), ("deny_users", a.DenyUsers) })
                foreach (var (n, idx) in names.Select((n, idx) => (n, idx)))
                    if (PosixUserName.Problem(n) is { } problem)
                        Error($"accounts.{list}[{idx}]", $"'{n}' {problem}; list user names exactly as in /etc/passwd");
            // Group names are looser (directory services allow "domain users"), but never empty or with ':'.
            foreach (var (list, names) in new[] { ("allow_groups", a.AllowGroups), ("deny_groups", a.DenyGroups) })
                foreach (var (n, idx) in names.Select((n, idx) => (n, idx)))
                    if (n.Length == 0 || n.Contains(':') || n.Any(char.IsControl))
                        Error($"accounts.{list}[{idx}]", $"'{n}' is not a group name; list group names exactly as in /etc/group");
            foreach (var (shell, idx) in a.AllowedShells.Select((s, idx) => (s, idx)))
                if (!shell.StartsWith('/'))
                    Error($"accounts.allowed_shells[{idx}]", $"'{shell}' must be an absolute path");
        }
    }
}
