using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Microsoft.IdentityModel.Tokens;

namespace Launcher.Core.Tokens;

/// <summary>
/// Verifies a compact JWS against exactly one configured issuer. The issuer is chosen by the
/// token's <c>iss</c>, and only that issuer's keys are ever tried: a key of issuer A must never
/// verify a token claiming issuer B, and an unknown kid is a denial, not a reason to try others.
/// </summary>
public sealed class TokenVerifier(SiteConfig config, IKeySource keys, TimeProvider clock)
{
    public VerifiedToken? Verify(string token, out TokenFailure? failure, ITrace? trace = null)
    {
        var envelope = TokenEnvelope.Open(token, out failure);
        if (envelope is null) return Fail(trace, failure!);
        trace?.Line($"token: {token.Length} bytes, alg {envelope.Algorithm}, kid '{envelope.KeyId}', sha256 {Sha256Hex(token)[..16]}...");

        var issuer = config.IssuerByIss(envelope.Iss);
        if (issuer is null)
            return Fail(trace, failure = new TokenFailure(Reasons.TokenIssuer,
                $"issuer '{Printable(envelope.Iss)}' is not configured (configured: {string.Join(", ", config.Issuers.Select(i => i.Issuer))})"));
        trace?.Line($"issuer: '{envelope.Iss}' is configured as '{issuer.Name}'");

        if (!issuer.Algorithms.Contains(envelope.Algorithm))
            return Fail(trace, failure = new TokenFailure(Reasons.TokenAlgorithm,
                $"algorithm '{Printable(envelope.Algorithm)}' is not in issuers '{issuer.Name}' algorithms ({string.Join(", ", issuer.Algorithms)})"));
        trace?.Line($"algorithm: {envelope.Algorithm} is allowed for '{issuer.Name}'");

        if (string.IsNullOrEmpty(envelope.KeyId))
            return Fail(trace, failure = new TokenFailure(Reasons.TokenUnknownKid, "token header has no 'kid'; a key id is required"));

        var keySet = keys.GetKeys(issuer, out failure);
        if (keySet is null) return Fail(trace, failure!);
        var key = keySet.Find(envelope.KeyId);
        if (key is null)
            return Fail(trace, failure = new TokenFailure(Reasons.TokenUnknownKid,
                $"kid '{Printable(envelope.KeyId)}' is not in {issuer.JwksFile} (if the issuer rotated keys, run 'ci-launcher jwks refresh')"));
        if (!key.Fits(envelope.Algorithm))
            return Fail(trace, failure = new TokenFailure(Reasons.TokenAlgorithm,
                $"kid '{key.KeyId}' is a {key.KeyType}{(key.Curve is null ? "" : " " + key.Curve)} key{(key.Algorithm is null ? "" : $" for {key.Algorithm}")}; it cannot verify {envelope.Algorithm}"));

        if (!SignatureHolds(envelope, issuer, key, out failure)) return Fail(trace, failure!);
        trace?.Line($"signature: verified with kid '{key.KeyId}' from {issuer.JwksFile}");

        var claims = envelope.Claims;
        if (!AudienceHolds(claims, issuer, out failure)) return Fail(trace, failure!);
        trace?.Line($"audience: matches one of {string.Join(", ", issuer.Audiences)}");

        if (!LifetimeHolds(claims, issuer, out var expires, out failure)) return Fail(trace, failure!);
        trace?.Line($"lifetime: valid until {expires:u} (clock skew {Duration.Format(issuer.ClockSkew)})");

        failure = null;
        return new VerifiedToken
        {
            Issuer = issuer,
            Claims = claims,
            Algorithm = envelope.Algorithm,
            KeyId = key.KeyId,
            Expires = expires,
            Jti = Policy.ClaimValues.Scalar(claims, "jti"),
            Subject = Policy.ClaimValues.Scalar(claims, "sub"),
        };
    }

    private static VerifiedToken? Fail(ITrace? trace, TokenFailure failure)
    {
        trace?.Line($"refused: {failure.Reason}: {failure.Message}");
        return null;
    }

    /// <summary>
    /// The signature over the ASCII signing input (header.payload), verified with exactly this key
    /// through IdentityModel's signature provider (which for ES* accepts only the JWS raw R||S form).
    /// Structure, header, algorithm and key choice were settled above; handing the whole token to
    /// JsonWebTokenHandler would parse it a second time with a second parser, costing more than the
    /// RSA verification itself (bench/validate), and two parsers are two chances to disagree.
    /// </summary>
    private static bool SignatureHolds(TokenEnvelope envelope, IssuerSettings issuer, SigningKey key, out TokenFailure? failure)
    {
        string compact = envelope.Compact;
        int dot = compact.LastIndexOf('.');
        string encoded = compact[(dot + 1)..];
        byte[] signature = new byte[Base64Url.GetMaxDecodedLength(encoded.Length)];
        if (Base64Url.DecodeFromChars(encoded, signature, out int consumed, out int written) != OperationStatus.Done || consumed != encoded.Length)
        {
            failure = new TokenFailure(Reasons.TokenMalformed, "token signature is not valid base64url");
            return false;
        }
        // TokenEnvelope decoded header and payload as base64url, so the signing input is ASCII.
        byte[] input = Encoding.ASCII.GetBytes(compact, 0, dot);
        SignatureProvider provider;
        try
        {
            provider = key.Verifier(envelope.Algorithm);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or InvalidOperationException or CryptographicException)
        {
            failure = new TokenFailure(Reasons.TokenAlgorithm, $"algorithm '{envelope.Algorithm}' cannot be verified with kid '{key.KeyId}'");
            return false;
        }
        bool valid;
        try
        {
            valid = provider.Verify(input, 0, input.Length, signature, 0, written);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            valid = false;
        }
        failure = valid ? null : new TokenFailure(Reasons.TokenBadSignature, $"signature does not verify with kid '{key.KeyId}' of issuer '{issuer.Name}'");
        return valid;
    }

    private static bool AudienceHolds(JsonElement claims, IssuerSettings issuer, out TokenFailure? failure)
    {
        failure = null;
        if (!claims.TryGetProperty("aud", out var aud))
        {
            failure = new TokenFailure(Reasons.TokenAudience, $"token has no 'aud'; the job must request audience {issuer.Audiences[0]} (id_tokens: aud:)");
            return false;
        }
        var values = new List<string>();
        if (aud.ValueKind == JsonValueKind.String) values.Add(aud.GetString()!);
        else if (aud.ValueKind == JsonValueKind.Array)
            foreach (var a in aud.EnumerateArray())
                if (a.ValueKind == JsonValueKind.String) values.Add(a.GetString()!);
        // Exact, ordinal comparison: "https://hpc.example.org/" is not "https://hpc.example.org".
        if (values.Any(v => issuer.Audiences.Contains(v, StringComparer.Ordinal))) return true;
        failure = new TokenFailure(Reasons.TokenAudience,
            $"audience {(values.Count == 0 ? "(none)" : string.Join(", ", values.Select(v => $"'{Printable(v)}'")))} is not one of issuers '{issuer.Name}' audiences ({string.Join(", ", issuer.Audiences)})");
        return false;
    }

    private bool LifetimeHolds(JsonElement claims, IssuerSettings issuer, out DateTimeOffset expires, out TokenFailure? failure)
    {
        failure = null;
        expires = default;
        long now = clock.GetUtcNow().ToUnixTimeSeconds();
        long skew = (long)issuer.ClockSkew.TotalSeconds;

        if (!NumericDate(claims, "exp", out long? exp, out failure)) return false;
        if (exp is null)
        {
            failure = new TokenFailure(Reasons.TokenMissingClaim, "token has no 'exp'; tokens without an expiry are never accepted");
            return false;
        }
        if (!NumericDate(claims, "nbf", out long? nbf, out failure)) return false;
        if (!NumericDate(claims, "iat", out long? iat, out failure)) return false;

        expires = DateTimeOffset.FromUnixTimeSeconds(exp.Value);
        if (now >= exp.Value + skew)
        {
            failure = new TokenFailure(Reasons.TokenExpired, $"token expired at {expires:u} (now {DateTimeOffset.FromUnixTimeSeconds(now):u}, clock skew {skew}s)");
            return false;
        }
        if (nbf is { } nb && now + skew < nb)
        {
            failure = new TokenFailure(Reasons.TokenNotYetValid, $"token is not valid before {DateTimeOffset.FromUnixTimeSeconds(nb):u} (now {DateTimeOffset.FromUnixTimeSeconds(now):u}); check this host's clock");
            return false;
        }
        if (iat is { } ia && now + skew < ia)
        {
            failure = new TokenFailure(Reasons.TokenIssuedInFuture, $"token was issued in the future ({DateTimeOffset.FromUnixTimeSeconds(ia):u}, now {DateTimeOffset.FromUnixTimeSeconds(now):u}); check this host's clock");
            return false;
        }
        if (issuer.MaxTokenAge is { } maxAge)
        {
            if (iat is null)
            {
                failure = new TokenFailure(Reasons.TokenMissingClaim, $"token has no 'iat', which issuers '{issuer.Name}' max_token_age requires");
                return false;
            }
            if (now - iat.Value > (long)maxAge.TotalSeconds + skew)
            {
                failure = new TokenFailure(Reasons.TokenTooOld, $"token was issued {now - iat.Value}s ago; issuers '{issuer.Name}' max_token_age is {Duration.Format(maxAge)}");
                return false;
            }
        }
        return true;
    }

    /// <summary>A NumericDate claim: absent is null; present but not an integral number is malformed.</summary>
    private static bool NumericDate(JsonElement claims, string name, out long? value, out TokenFailure? failure)
    {
        value = null;
        failure = null;
        if (!claims.TryGetProperty(name, out var element)) return true;
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out long v) && v >= 0 && v < 253402300800)
        {
            value = v;
            return true;
        }
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out double d) && d >= 0 && d < 253402300800)
        {
            value = (long)Math.Floor(d);
            return true;
        }
        failure = new TokenFailure(Reasons.TokenMalformed, $"claim '{name}' is not a NumericDate (seconds since 1970 as a JSON number)");
        return false;
    }

    public static string Sha256Hex(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    private static string Printable(string value) => Policy.PolicyEngine.Printable(value);
}
