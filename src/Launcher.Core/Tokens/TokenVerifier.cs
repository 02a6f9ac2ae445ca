using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Crypto;

namespace Launcher.Core.Tokens;

/// <summary>
/// Verifies a compact JWS against exactly one configured issuer. The issuer is chosen by the
/// token's <c>iss</c>, and only that issuer's keys are ever tried: a key of issuer A must never
/// verify a token claiming issuer B, and an unknown kid is a denial, not a reason to try others.
/// </summary>
public sealed class TokenVerifier(SiteConfig config, IKeySource keys, TimeProvider clock)
{
    public Outcome<VerifiedToken> Verify(string token, ITrace? trace = null)
    {
        var verified = Check(token, trace);
        if (!verified.Ok) trace?.Line($"refused: {verified.Refusal}");
        return verified;
    }

    private Outcome<VerifiedToken> Check(string token, ITrace? trace)
    {
        var opened = TokenEnvelope.Open(token);
        if (!opened.Ok) return opened.Refusal;
        var envelope = opened.Value;
        trace?.Line($"token: {token.Length} bytes, alg {envelope.Algorithm}, kid '{envelope.KeyId}', sha256 {Sha256Hex(token)[..16]}...");

        var read = RegisteredClaims.Read(envelope.Claims);
        if (!read.Ok) return read.Refusal;
        var registered = read.Value;
        trace?.Line("claims: iss, sub, jti are strings, aud a string or strings, exp/nbf/iat numbers (where present)");

        var issuer = config.IssuerByIss(envelope.Iss);
        if (issuer is null)
            return Refusal.Denied(Reasons.TokenIssuer,
                $"issuer '{Printable(envelope.Iss)}' is not configured (configured: {string.Join(", ", config.Issuers.Select(i => i.Issuer))})");
        trace?.Line($"issuer: '{envelope.Iss}' is configured as '{issuer.Name}'");

        if (!issuer.Algorithms.Contains(envelope.Algorithm))
            return Refusal.Denied(Reasons.TokenAlgorithm,
                $"algorithm '{Printable(envelope.Algorithm)}' is not in issuers '{issuer.Name}' algorithms ({string.Join(", ", issuer.Algorithms)})");
        trace?.Line($"algorithm: {envelope.Algorithm} is allowed for '{issuer.Name}'");

        if (string.IsNullOrEmpty(envelope.KeyId))
            return Refusal.Denied(Reasons.TokenUnknownKid, "token header has no 'kid'; a key id is required");

        var keySet = keys.GetKeys(issuer);
        if (!keySet.Ok) return keySet.Refusal;
        var key = keySet.Value.Find(envelope.KeyId);
        if (key is null)
            return Refusal.Denied(Reasons.TokenUnknownKid,
                $"kid '{Printable(envelope.KeyId)}' is not in {issuer.JwksFile} (if the issuer rotated keys, run 'ci-launcher jwks refresh')");
        if (!key.Fits(envelope.Algorithm))
            return Refusal.Denied(Reasons.TokenAlgorithm,
                $"kid '{key.KeyId}' is a {key.KeyType}{(key.Curve is null ? "" : " " + key.Curve)} key{(key.Algorithm is null ? "" : $" for {key.Algorithm}")}; it cannot verify {envelope.Algorithm}");

        if (SignatureRefusal(envelope, issuer, key) is { } badSignature) return badSignature;
        trace?.Line($"signature: verified with kid '{key.KeyId}' from {issuer.JwksFile}");

        if (AudienceRefusal(registered, issuer) is { } badAudience) return badAudience;
        trace?.Line($"audience: matches one of {string.Join(", ", issuer.Audiences)}");

        var expires = Lifetime(registered, issuer, trace);
        if (!expires.Ok) return expires.Refusal;

        return Outcome.Of(new VerifiedToken
        {
            Issuer = issuer,
            Claims = envelope.Claims,
            Algorithm = envelope.Algorithm,
            KeyId = key.KeyId,
            Expires = expires.Value,
            Jti = registered.Jti,
            Subject = registered.Sub,
        });
    }

    /// <summary>
    /// The signature over the ASCII signing input (header.payload), verified with exactly this key
    /// by OpenSSL (<see cref="PublicKey.Verify"/>, which for ES* takes only the JWS raw R||S form).
    /// Structure, header, algorithm and key choice were settled above; the token is never handed
    /// to a second parser, which would cost more than the verification itself (bench/validate)
    /// and be a second chance to disagree about what the token says.
    /// </summary>
    private static Refusal? SignatureRefusal(TokenEnvelope envelope, IssuerSettings issuer, SigningKey key)
    {
        string compact = envelope.Compact;
        int dot = compact.LastIndexOf('.');
        var encoded = compact.AsSpan(dot + 1);
        // One buffer: the signature, then the signing input.
        int at = Base64Url.GetMaxDecodedLength(encoded.Length);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(at + dot);
        try
        {
            if (Base64Url.DecodeFromChars(encoded, buffer, out int consumed, out int written) != OperationStatus.Done || consumed != encoded.Length)
                return Refusal.Denied(Reasons.TokenMalformed, "token signature is not valid base64url");
            // TokenEnvelope decoded header and payload as base64url, so the signing input is ASCII.
            Encoding.ASCII.GetBytes(compact.AsSpan(0, dot), buffer.AsSpan(at));
            return key.Key.Verify(envelope.Algorithm, buffer.AsSpan(at, dot), buffer.AsSpan(0, written))
                ? null
                : Refusal.Denied(Reasons.TokenBadSignature, $"signature does not verify with kid '{key.KeyId}' of issuer '{issuer.Name}'");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    private static Refusal? AudienceRefusal(RegisteredClaims registered, IssuerSettings issuer)
    {
        if (registered.Audiences is not { } values)
            return Refusal.Denied(Reasons.TokenAudience, $"token has no 'aud'; the job must request audience {issuer.Audiences[0]} (id_tokens: aud:)");
        // Exact, ordinal comparison: "https://hpc.example.org/" is not "https://hpc.example.org".
        if (values.Any(v => issuer.Audiences.Contains(v, StringComparer.Ordinal))) return null;
        return Refusal.Denied(Reasons.TokenAudience,
            $"audience {(values.Count == 0 ? "(none)" : string.Join(", ", values.Select(v => $"'{Printable(v)}'")))} is not one of issuers '{issuer.Name}' audiences ({string.Join(", ", issuer.Audiences)})");
    }

    /// <summary>
    /// exp, nbf and iat against the clock (with the issuer's clock_skew), then the issuer's own
    /// bounds: max_lifetime on exp - iat (the issuer's numbers only, so no skew) and max_age on
    /// now - iat. Both need iat, so it is required: without it a token issued in 1970 with a far
    /// exp, or one leaked from an old job log, would be as good as a fresh one.
    /// </summary>
    private Outcome<DateTimeOffset> Lifetime(RegisteredClaims registered, IssuerSettings issuer, ITrace? trace)
    {
        long now = clock.GetUtcNow().ToUnixTimeSeconds();
        long skew = (long)issuer.ClockSkew.TotalSeconds;

        if (registered.Exp is not { } exp)
            return Refusal.Denied(Reasons.TokenMissingClaim, "token has no 'exp'; tokens without an expiry are never accepted");
        var expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (now >= exp + skew)
            return Refusal.Denied(Reasons.TokenExpired, $"token expired at {expires:u} (now {At(now)}, clock skew {skew}s)");
        if (registered.Nbf is { } nbf && now + skew < nbf)
            return Refusal.Denied(Reasons.TokenNotYetValid, $"token is not valid before {At(nbf)} (now {At(now)}); check this host's clock");
        if (registered.Iat is not { } iat)
            return Refusal.Denied(Reasons.TokenMissingClaim,
                $"token has no 'iat', which issuers '{issuer.Name}' max_lifetime{(issuer.MaxAge is null ? "" : " and max_age")} need to bound the token's lifetime");
        if (now + skew < iat)
            return Refusal.Denied(Reasons.TokenIssuedInFuture, $"token was issued in the future ({At(iat)}, now {At(now)}); check this host's clock");
        trace?.Line($"lifetime: valid until {expires:u} (clock skew {Duration.Format(issuer.ClockSkew)})");

        long lifetime = exp - iat;
        long maxLifetime = (long)issuer.MaxLifetime.TotalSeconds;
        if (lifetime > maxLifetime)
            return Refusal.Denied(Reasons.TokenLifetimeTooLong,
                $"token lives {Duration.Readable(lifetime)} (iat {At(iat)} to exp {expires:u}); issuers '{issuer.Name}' max_lifetime is {Duration.Readable(maxLifetime)} (raise it only if this issuer's tokens legitimately live longer, e.g. GitLab jobs with a longer timeout)");
        trace?.Line($"lifetime: exp - iat = {Duration.Readable(lifetime)}, within max_lifetime {Duration.Readable(maxLifetime)}");

        long age = now - iat;
        if (issuer.MaxAge is not { } maxAge)
        {
            trace?.Line($"age: issued {Duration.Readable(Math.Max(age, 0))} ago (max_age not set)");
            return Outcome.Of(expires);
        }
        long maxAgeSeconds = (long)maxAge.TotalSeconds;
        if (age > maxAgeSeconds + skew)
            return Refusal.Denied(Reasons.TokenTooOld,
                $"token was issued {Duration.Readable(age)} ago ({At(iat)}); issuers '{issuer.Name}' max_age is {Duration.Readable(maxAgeSeconds)} (plus clock skew {skew}s): ask for a fresh token");
        trace?.Line($"age: issued {Duration.Readable(Math.Max(age, 0))} ago, within max_age {Duration.Readable(maxAgeSeconds)} (plus clock skew {skew}s)");
        return Outcome.Of(expires);
    }

    private static string At(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("u", System.Globalization.CultureInfo.InvariantCulture);

    public static string Sha256Hex(string token) => Sha256.Hex(Encoding.ASCII.GetBytes(token));

    private static string Printable(string value) => Policy.PolicyEngine.Printable(value);
}
