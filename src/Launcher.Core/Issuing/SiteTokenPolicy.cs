using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Launcher.Core.Authorization;
using Launcher.Core.Config;

namespace Launcher.Core.Issuing;

/// <summary>
/// Whether an allowed decision may be turned into a site token, and what the token says. Runs
/// after <see cref="Authorizer"/> (the one decision path), so the CI token, the policy and the
/// account are already checked; this adds what only issuing needs.
/// </summary>
public static class SiteTokenPolicy
{
    /// <summary>12 random bytes (96 bits) make collisions negligible in 16 characters instead of a UUID's 36.</summary>
    public const int JtiBytes = 12;

    /// <summary>The grant, or the refusal (a denial: the caller asked for what it may not have).</summary>
    public static Outcome<SiteTokenGrant> Check(Decision decision, IssuingSettings settings, uint callerUid, string audience,
        TimeSpan? requestedLifetime, DateTimeOffset now)
    {
        if (!decision.Allowed || decision.Token is not { } token || decision.Account is not { } account)
            throw new ArgumentException("only an allowed decision can be exchanged for a site token", nameof(decision));

        if (!settings.FromIssuers.Contains(token.Issuer.Name))
            return Refusal.Denied(Reasons.IssuingFromIssuer,
                $"tokens of issuer '{token.Issuer.Name}' cannot be exchanged for site tokens (issuing.from_issuers: {string.Join(", ", settings.FromIssuers)})");
        // A job proves who it is with its CI token; the uid check makes sure that identity is the
        // caller's own, so a job that found another job's token cannot speak for that user.
        if (account.Uid != callerUid)
            return Refusal.Denied(Reasons.IssuingCallerUid,
                $"the token maps to user '{account.Name}' (uid {account.Uid}) but the caller is uid {callerUid}; a job can obtain site tokens only for the account it runs as");
        if (!settings.Audiences.Contains(audience, StringComparer.Ordinal))
            return Refusal.Denied(Reasons.IssuingAudience,
                $"audience '{Policy.PolicyEngine.Printable(audience)}' is not in issuing.audiences ({string.Join(", ", settings.Audiences)})");
        var lifetime = requestedLifetime ?? settings.MaxLifetime;
        if (lifetime > settings.MaxLifetime || lifetime < TimeSpan.FromSeconds(1))
            return Refusal.Denied(Reasons.IssuingLifetime,
                $"lifetime {Duration.Format(lifetime)} is outside 1s..{Duration.Format(settings.MaxLifetime)} (issuing.max_lifetime)");

        long iat = now.ToUnixTimeSeconds();
        long ciExp = token.Expires.ToUnixTimeSeconds();
        // The verifier forgives clock skew; a site token must not: it never outlives the CI token.
        if (ciExp <= iat)
            return Refusal.Denied(Reasons.TokenExpired,
                $"the CI token expired at {token.Expires:u}; a site token never outlives it");
        long exp = Math.Min(iat + (long)lifetime.TotalSeconds, ciExp);

        var claims = new List<KeyValuePair<string, JsonElement>>();
        foreach (var name in settings.Claims)
        {
            if (name == "ci_issuer")
                claims.Add(new(name, StringElement(token.Issuer.Issuer)));
            else if (token.Claims.TryGetProperty(name, out var value))
                claims.Add(new(name, value.Clone()));
        }

        return Outcome.Of(new SiteTokenGrant
        {
            Issuer = settings.Issuer,
            Subject = account.Name,
            Audience = audience,
            IssuedAt = iat,
            Expires = exp,
            Jti = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(JtiBytes)),
            JobClaims = claims,
        });
    }

    private static JsonElement StringElement(string value)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream)) w.WriteStringValue(value);
        using var doc = JsonDocument.Parse(stream.ToArray());
        return doc.RootElement.Clone();
    }
}
