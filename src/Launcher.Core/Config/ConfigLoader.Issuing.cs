using Launcher.Core.Policy;

namespace Launcher.Core.Config;

public static partial class ConfigLoader
{
    private sealed partial class Validator
    {
        private IssuingSettings? ValidateIssuing(IssuingConfig c, List<IssuerSettings> issuers)
        {
            int before = Errors.Count;
            CheckUrl("issuing.issuer", c.Issuer, allowHttp: false, required: true);
            if (Uri.TryCreate(c.Issuer, UriKind.Absolute, out var uri) && (c.Issuer.EndsWith('/') || uri.Query.Length > 0 || uri.Fragment.Length > 0))
                Error("issuing.issuer", $"'{c.Issuer}' must have no trailing slash, query or fragment: relying parties compare iss byte for byte and append /.well-known/openid-configuration");

            if (!c.KeyDir.StartsWith('/'))
                Error("issuing.key_dir", $"'{c.KeyDir}' must be an absolute path (default /etc/ci-launcher/keys)");

            if (c.Audiences.Count == 0)
                Error("issuing.audiences", "must list the audiences jobs may request (e.g. ssh://login.example.org); a site token for any audience could be replayed against every service");
            var audiences = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (aud, idx) in c.Audiences.Select((a, idx) => (a, idx)))
            {
                if (string.IsNullOrWhiteSpace(aud) || aud.Any(char.IsWhiteSpace) || aud.Any(char.IsControl))
                    Error($"issuing.audiences[{idx}]", $"'{aud}' is empty or contains whitespace");
                else if (!audiences.Add(aud))
                    Error($"issuing.audiences[{idx}]", $"'{aud}' is listed twice");
            }

            TimeSpan maxLifetime = TimeSpan.Zero;
            if (!Duration.TryParse(c.MaxLifetime, out maxLifetime) || maxLifetime < TimeSpan.FromSeconds(1))
                Error("issuing.max_lifetime", $"'{c.MaxLifetime}' is not a duration of at least 1s; write e.g. 5m");
            else if (maxLifetime > IssuingSettings.LongestLifetime)
                Error("issuing.max_lifetime", $"'{c.MaxLifetime}' is more than {Duration.Format(IssuingSettings.LongestLifetime)}; site tokens are short-lived assertions (5m is the default)");

            TimeSpan skew = TimeSpan.Zero;
            if (!Duration.TryParse(c.ClockSkew, out skew))
                Error("issuing.clock_skew", $"'{c.ClockSkew}' is not a duration; write e.g. 5m (the largest clock_skew any relying party allows)");

            var siteEntries = issuers.Where(i => i.Issuer == c.Issuer).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            if (c.FromIssuers.Count == 0)
                Error("issuing.from_issuers", $"must name the CI issuers whose tokens may be exchanged for site tokens (configured: {string.Join(", ", issuers.Select(i => i.Name))})");
            foreach (var (name, idx) in c.FromIssuers.Select((n, idx) => (n, idx)))
            {
                if (!issuers.Any(i => i.Name == name))
                    Error($"issuing.from_issuers[{idx}]", $"'{name}' is not the name of an entry of issuers: ({string.Join(", ", issuers.Select(i => i.Name))})");
                else if (siteEntries.Contains(name))
                    // A site token traded for another site token would let a job re-aim an assertion at a new audience.
                    Error($"issuing.from_issuers[{idx}]", $"'{name}' is the site issuer itself ({c.Issuer}); site tokens cannot be exchanged for site tokens");
            }

            var claims = new List<string>();
            foreach (var (claim, idx) in c.Claims.Select((n, idx) => (n, idx)))
            {
                if (IssuingSettings.Reserved.Contains(claim))
                    Error($"issuing.claims[{idx}]", $"'{claim}' is written by the issuer itself and cannot be copied from the CI token; remove it");
                else if (!KnownClaims.Names.Contains(claim))
                    Error($"issuing.claims[{idx}]", $"'{claim}' is not a known CI token claim (a typo? see ci-launcher.yaml(5))");
                else if (claims.Contains(claim))
                    Error($"issuing.claims[{idx}]", $"'{claim}' is listed twice");
                else claims.Add(claim);
            }

            if (Errors.Count > before) return null;
            return new IssuingSettings
            {
                Issuer = c.Issuer,
                KeyDir = c.KeyDir,
                Audiences = c.Audiences,
                MaxLifetime = maxLifetime,
                FromIssuers = new HashSet<string>(c.FromIssuers, StringComparer.Ordinal),
                Claims = claims,
                ClockSkew = skew,
            };
        }
    }
}
