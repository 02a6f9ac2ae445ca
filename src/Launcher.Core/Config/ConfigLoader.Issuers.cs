namespace Launcher.Core.Config;

public static partial class ConfigLoader
{
    private sealed partial class Validator
    {
        private List<IssuerSettings> ValidateIssuers(List<IssuerConfig> entries, IssuingConfig? issuing)
        {
            var issuers = new List<IssuerSettings>();
            if (entries.Count == 0)
                Error("issuers", "no issuer is configured; add one under 'issuers:' (name, issuer, audiences, jwks_file)");
            var siteIssuer = SiteIssuerLifetime(issuing);
            for (int i = 0; i < entries.Count; i++)
                if (ValidateIssuer(entries[i], $"issuers[{i}]", issuers, siteIssuer) is { } settings)
                    issuers.Add(settings);
            return issuers;
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
    }
}
