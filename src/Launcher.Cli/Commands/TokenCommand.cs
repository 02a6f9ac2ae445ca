using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Issuing;
using Launcher.Core.Tokens;
using Launcher.Posix.Keys;
using Launcher.Posix.Privileged;

namespace Launcher.Cli.Commands;

/// <summary>
/// <c>token issue</c>: inside a job, exchange the job's CI token for a short-lived site token for
/// one audience. Runs through ci-launcher-suid (the keys are root-only), so everything the caller
/// chooses is checked here: the CI token goes through the one decision path, and the mapped
/// account must be the caller's own uid.
/// </summary>
public static class TokenCommand
{
    /// <summary>PAM passes a password-style answer of at most PAM_MAX_RESP_SIZE (512) bytes including the NUL.</summary>
    public const int PamLimit = 511;

    public static int Run(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0 || argv[0] != "issue")
            throw new UsageException(argv.Count == 0 ? "missing subcommand (token issue --audience AUD)" : $"unknown subcommand '{argv[0]}' (token issue --audience AUD)");
        var args = CliArgs.Parse(argv.Skip(1).ToList(), new HashSet<string> { "config", "audience", "lifetime", "token-file" }, new HashSet<string>());
        if (args.Positional.Count > 0) throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        string audience = args.Require("audience");
        TimeSpan? lifetime = null;
        if (args.Get("lifetime") is { } text)
        {
            if (!Duration.TryParse(text, out var parsed) || parsed < TimeSpan.FromSeconds(1))
            {
                Console.Error.WriteLine($"ci-launcher: {Reasons.IssuingLifetime}: --lifetime '{Core.Policy.PolicyEngine.Printable(text)}' is not a duration of at least 1s; write e.g. 5m or 90s");
                return ExitCodes.UsageOrConfig;
            }
            lifetime = parsed;
        }
        // Set-id, a named token file would be read with root's rights; stdin is the caller's own.
        if (ProcessIdentity.IsSetId && args.Get("token-file") is { } file && file != "-")
            throw new UsageException("--token-file must be '-' (stdin) when running through ci-launcher-suid, which would otherwise open the file as root; use --token-file - < FILE");

        var site = Site.Load(args.Get("config"), "token issue");
        if (site is null) return ExitCodes.UsageOrConfig;
        if (site.Config.Issuing is not { } issuing)
        {
            Console.Error.WriteLine($"ci-launcher: {Reasons.IssuingNotConfigured}: {site.Config.Path} has no 'issuing:' section; this host issues no site tokens");
            return ExitCodes.UsageOrConfig;
        }

        var token = ReadToken(args.Get("token-file"), site.Config, issuing);
        Decision decision = token.Ok ? site.Authorizer.Authorize(token.Value) : Decision.Refused(token.Refusal);

        string? siteToken = null;
        var extra = new Dictionary<string, string> { ["audience"] = Core.Policy.PolicyEngine.Printable(audience) };
        if (decision.Allowed)
        {
            var grant = SiteTokenPolicy.Check(decision, issuing, ProcessIdentity.RealUid, audience, lifetime, site.Clock.GetUtcNow());
            var signed = grant.Ok ? Sign(grant.Value, issuing) : grant.Refusal;
            if (!signed.Ok) decision = decision.Deny(signed.Refusal);
            else
            {
                siteToken = signed.Value.Token;
                extra["site_jti"] = grant.Value.Jti;
                extra["site_kid"] = signed.Value.Kid;
                extra["site_exp"] = DateTimeOffset.FromUnixTimeSeconds(grant.Value.Expires).ToString("u", System.Globalization.CultureInfo.InvariantCulture);
                extra["site_token_sha256"] = TokenVerifier.Sha256Hex(siteToken);
            }
        }

        // The token is handed out only once its issuance is on record.
        if (!site.Record(decision, "token issue", extra) && decision.Allowed) return ExitCodes.UsageOrConfig;
        if (!decision.Allowed)
        {
            Console.Error.WriteLine($"ci-launcher: {decision.Reason}: {decision.Detail}");
            return decision.Refusal!.Kind == RefusalKind.Denied ? ExitCodes.Denied : ExitCodes.UsageOrConfig;
        }
        if (siteToken!.Length > PamLimit)
            Console.Error.WriteLine($"ci-launcher: warning: the site token is {siteToken.Length} bytes; PAM and ssh accept at most {PamLimit} (remove claims from issuing.claims)");
        Console.Out.WriteLine(siteToken);
        return ExitCodes.Allowed;
    }

    /// <summary>The signed site token and the kid that signed it, or the site error of the key directory.</summary>
    private static Outcome<(string Token, string Kid)> Sign(SiteTokenGrant grant, IssuingSettings issuing)
    {
        var keys = new KeyDirectory(issuing.KeyDir);
        var ring = keys.LoadRing();
        if (!ring.Ok) return ring.Refusal.AsSiteError(Reasons.IssuingKeyUnavailable);
        if (ring.Value.Signing is not { } signing)
            return Refusal.SiteError(Reasons.IssuingNoSigningKey, $"no key in {keys.RingFile} is signing ({ring.Value.Describe()}); run 'ci-launcher keys activate KID'");
        var loaded = keys.LoadPrivateKey(signing.KeyId);
        if (!loaded.Ok) return loaded.Refusal.AsSiteError(Reasons.IssuingKeyUnavailable);
        using var key = loaded.Value;
        return Outcome.Of((grant.Sign(key), key.KeyId));
    }

    /// <summary>The CI token from --token-file, else from the token_variable of an issuer in issuing.from_issuers.</summary>
    private static Outcome<string> ReadToken(string? source, SiteConfig config, IssuingSettings issuing)
    {
        if (source is not null) return TokenInput.Read(source);
        foreach (var issuer in config.Issuers.Where(i => issuing.FromIssuers.Contains(i.Name)))
        {
            if (Environment.GetEnvironmentVariable(issuer.TokenVariable) is { Length: > 0 } value)
                return TokenEnvelope.FromFileText(System.Text.Encoding.UTF8.GetBytes(value));
        }
        var names = config.Issuers.Where(i => issuing.FromIssuers.Contains(i.Name)).Select(i => i.TokenVariable).Distinct();
        return Refusal.Denied(Reasons.TokenMissing, $"no CI token: pass --token-file FILE|- or set {string.Join(" or ", names)} (id_tokens: in .gitlab-ci.yml)");
    }
}
