using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Tests.Support;
using Launcher.Core.Tokens;
using Launcher.TestIssuer;

namespace Launcher.Core.Tests;

/// <summary>
/// TokenVerifier over named cases with the clock pinned at <see cref="FixedClock.Epoch"/>: every
/// check of the token contract and the classic attacks on JWT validators. Issuer 'gitlab' allows
/// RS256 and ES256 with clock_skew 30s, max_age 10m and the default max_lifetime (24h); issuer
/// 'other' has its own key.
/// </summary>
public class TokenVerifierTests
{
    private static readonly MemorySite Site = new(MemorySite.DefaultYaml().Replace("    clock_skew: 30s", "    clock_skew: 30s\n    max_age: 10m"));
    private static readonly IssuerKey Rsa = MemorySite.Rsa;
    private static readonly IssuerKey Ec = MemorySite.Ec;
    private static readonly IssuerKey Attacker = IssuerKey.CreateRsa("attacker-1");
    private static readonly long Now = FixedClock.Epoch.ToUnixTimeSeconds();

    private static string Token(Action<Dictionary<string, object?>>? edit = null, IssuerKey? key = null, Dictionary<string, object?>? header = null)
    {
        var claims = Site.Claims();
        edit?.Invoke(claims);
        return (key ?? Rsa).Sign(claims, header);
    }

    private static Dictionary<string, object?> Header(IssuerKey key, params (string Name, object? Value)[] extra)
    {
        var h = new Dictionary<string, object?> { ["alg"] = key.Algorithm, ["kid"] = key.KeyId, ["typ"] = "JWT" };
        foreach (var (name, value) in extra)
            if (value is null) h.Remove(name); else h[name] = value;
        return h;
    }

    private static string Payload(Action<Dictionary<string, object?>>? edit = null)
    {
        var claims = Site.Claims();
        edit?.Invoke(claims);
        return IssuerKey.Json(claims);
    }

    /// <summary>Replaces one base64url part of a valid token (0 header, 1 payload, 2 signature).</summary>
    private static string Swap(string token, int part, string value)
    {
        var p = Jws.Parts(token);
        p[part] = value;
        return Jws.Join(p);
    }

    /// <summary>A valid RS256 token padded (claim 'pad' and header member 'x') to exactly <paramref name="length"/> characters.</summary>
    private static string TokenOfLength(int length)
    {
        for (int h = 0; h < 4; h++)
            for (int p = length * 3 / 4 - 1200; p < length * 3 / 4; p++)
            {
                string t = Token(c => c["pad"] = new string('p', p), header: Header(Rsa, ("x", new string('x', h))));
                if (t.Length == length) return t;
                if (t.Length > length) break;
            }
        throw new InvalidOperationException($"no padding gives exactly {length} characters");
    }

    public static TheoryData<string, Func<string>, string> Cases => new()
    {
        // Baseline.
        { "valid RS256", () => Token(), Reasons.Ok },
        { "valid ES256", () => Token(key: Ec), Reasons.Ok },

        // alg none, in any casing, signed or not.
        { "alg none, empty signature", () => Jws.Join(Jws.B64("{\"alg\":\"none\",\"kid\":\"gl-rsa-1\"}"), Jws.B64(Payload()), ""), Reasons.TokenUnsigned },
        { "alg none with a signature", () => Swap(Token(), 0, Jws.B64("{\"alg\":\"none\",\"kid\":\"gl-rsa-1\"}")), Reasons.TokenUnsigned },
        { "alg None", () => Swap(Token(), 0, Jws.B64("{\"alg\":\"None\",\"kid\":\"gl-rsa-1\"}")), Reasons.TokenUnsigned },
        { "alg NONE", () => Swap(Token(), 0, Jws.B64("{\"alg\":\"NONE\",\"kid\":\"gl-rsa-1\"}")), Reasons.TokenUnsigned },
        { "alg nOnE", () => Swap(Token(), 0, Jws.B64("{\"alg\":\"nOnE\",\"kid\":\"gl-rsa-1\"}")), Reasons.TokenUnsigned },

        // HS/RS confusion: HMAC keyed with the issuer's public key, in the forms attackers try.
        { "HS256 keyed with the RSA public key PEM", () => Jws.Hmac("{\"alg\":\"HS256\",\"kid\":\"gl-rsa-1\"}", Payload(), Encoding.ASCII.GetBytes(Rsa.PublicKeyPem())), Reasons.TokenAlgorithm },
        { "HS256 keyed with the JWKS JSON", () => Jws.Hmac("{\"alg\":\"HS256\",\"kid\":\"gl-rsa-1\"}", Payload(), Encoding.UTF8.GetBytes(IssuerKey.Jwks(Rsa))), Reasons.TokenAlgorithm },
        { "HS512 keyed with the EC public key", () => Jws.Hmac("{\"alg\":\"HS512\",\"kid\":\"gl-ec-1\"}", Payload(), Encoding.ASCII.GetBytes(Ec.PublicKeyPem())), Reasons.TokenAlgorithm },

        // Algorithm allowlist and key fit.
        { "RS512 not in the allowlist", () => Swap(Token(), 0, Jws.B64("{\"alg\":\"RS512\",\"kid\":\"gl-rsa-1\"}")), Reasons.TokenAlgorithm },
        { "PS256 not in the allowlist", () => Swap(Token(), 0, Jws.B64("{\"alg\":\"PS256\",\"kid\":\"gl-rsa-1\"}")), Reasons.TokenAlgorithm },
        { "alg 'rs256' (case)", () => Swap(Token(), 0, Jws.B64("{\"alg\":\"rs256\",\"kid\":\"gl-rsa-1\"}")), Reasons.TokenAlgorithm },
        { "alg 'RS256 ' (trailing space)", () => Swap(Token(), 0, Jws.B64("{\"alg\":\"RS256 \",\"kid\":\"gl-rsa-1\"}")), Reasons.TokenAlgorithm },
        { "ES256 header naming the RSA kid", () => Token(key: Ec, header: Header(Ec, ("kid", "gl-rsa-1"))), Reasons.TokenAlgorithm },
        { "RS256 header naming the EC kid", () => Token(header: Header(Rsa, ("kid", "gl-ec-1"))), Reasons.TokenAlgorithm },

        // Keys carried or referenced by the token itself are never used.
        { "embedded jwk of the attacker, attacker kid", () => Token(key: Attacker, header: Header(Attacker, ("jwk", Attacker.PublicJwk()))), Reasons.TokenUnknownKid },
        { "embedded jwk of the attacker, issuer kid", () => Token(key: Attacker, header: Header(Attacker, ("kid", "gl-rsa-1"), ("jwk", Attacker.PublicJwk()))), Reasons.TokenBadSignature },
        { "jku at the attacker's JWKS, issuer kid", () => Token(key: Attacker, header: Header(Attacker, ("kid", "gl-rsa-1"), ("jku", "https://evil.example/jwks.json"))), Reasons.TokenBadSignature },
        { "x5u at the attacker's certificate, issuer kid", () => Token(key: Attacker, header: Header(Attacker, ("kid", "gl-rsa-1"), ("x5u", "https://evil.example/cert.pem"))), Reasons.TokenBadSignature },
        { "x5c with the attacker's key, issuer kid", () => Token(key: Attacker, header: Header(Attacker, ("kid", "gl-rsa-1"), ("x5c", new[] { Convert.ToBase64String(Encoding.ASCII.GetBytes(Attacker.PublicKeyPem())) }))), Reasons.TokenBadSignature },
        { "jku header on a genuine token is ignored", () => Token(header: Header(Rsa, ("jku", "https://evil.example/jwks.json"))), Reasons.Ok },

        // kid tricks.
        { "missing kid", () => Token(header: Header(Rsa, ("kid", null))), Reasons.TokenUnknownKid },
        { "empty kid", () => Token(header: Header(Rsa, ("kid", ""))), Reasons.TokenUnknownKid },
        { "kid of the other issuer's key", () => Token(key: MemorySite.OtherKey), Reasons.TokenUnknownKid },
        { "kid with path characters", () => Token(key: Attacker, header: Header(Attacker, ("kid", "../../../../dev/null"))), Reasons.TokenUnknownKid },
        { "kid with a NUL byte", () => Token(header: Header(Rsa, ("kid", "gl-rsa-1\u0000"))), Reasons.TokenUnknownKid },
        { "kid differing in case", () => Token(header: Header(Rsa, ("kid", "GL-RSA-1"))), Reasons.TokenUnknownKid },
        { "kid is a number", () => Token(header: Header(Rsa, ("kid", 1))), Reasons.TokenMalformed },
        { "stranger's key under the issuer's kid", () => Token(key: MemorySite.Stranger), Reasons.TokenBadSignature },
        { "other issuer's iss, signed with gitlab's key", () => Token(c => c["iss"] = MemorySite.Other), Reasons.TokenUnknownKid },

        // Signature stripping and tampering.
        { "signature stripped (empty third part)", () => Swap(Token(), 2, ""), Reasons.TokenUnsigned },
        { "signature of another token", () => Swap(Token(), 2, Jws.Parts(Token(c => c["user_login"] = "bob"))[2]), Reasons.TokenBadSignature },
        { "payload tampered (user_login)", () => Swap(Token(), 1, Jws.B64(Payload(c => c["user_login"] = "root"))), Reasons.TokenBadSignature },
        { "header tampered (typ)", () => Swap(Token(), 0, Jws.B64("{\"alg\":\"RS256\",\"kid\":\"gl-rsa-1\",\"typ\":\"at+jwt\"}")), Reasons.TokenBadSignature },
        { "signature truncated by one byte", () => { var t = Token(); var s = System.Buffers.Text.Base64Url.DecodeFromChars(Jws.Parts(t)[2]); return Swap(t, 2, IssuerKey.B64(s[..^1])); }, Reasons.TokenBadSignature },
        { "signature with a flipped bit", () => { var t = Token(); var s = System.Buffers.Text.Base64Url.DecodeFromChars(Jws.Parts(t)[2]); s[10] ^= 1; return Swap(t, 2, IssuerKey.B64(s)); }, Reasons.TokenBadSignature },
        { "ES256 signature in DER form", () => { string input = Jws.B64(Jws.Header(Ec)) + "." + Jws.B64(Payload()); return input + "." + IssuerKey.B64(Ec.SignBytesDer(Encoding.ASCII.GetBytes(input))); }, Reasons.TokenBadSignature },
        { "ES256 signature in raw R||S form", () => Jws.Raw(Jws.Header(Ec), Payload(), Ec), Reasons.Ok },

        // Lifetime (clock_skew 30s, max_age 10m, max_lifetime 24h).
        { "exp exactly now", () => Token(c => c["exp"] = Now), Reasons.Ok },
        { "exp 29s ago (within skew)", () => Token(c => c["exp"] = Now - 29), Reasons.Ok },
        { "exp 30s ago (skew boundary)", () => Token(c => c["exp"] = Now - 30), Reasons.TokenExpired },
        { "exp 1h ago", () => Token(c => { c["exp"] = Now - 3600; c["iat"] = Now - 7200; c["nbf"] = Now - 7200; }), Reasons.TokenExpired },
        { "nbf 30s ahead (within skew)", () => Token(c => c["nbf"] = Now + 30), Reasons.Ok },
        { "nbf 31s ahead", () => Token(c => c["nbf"] = Now + 31), Reasons.TokenNotYetValid },
        { "iat 30s ahead (within leeway)", () => Token(c => c["iat"] = Now + 30), Reasons.Ok },
        { "iat 31s ahead", () => Token(c => c["iat"] = Now + 31), Reasons.TokenIssuedInFuture },
        { "iat 10m30s ago (max_age + skew)", () => Token(c => c["iat"] = Now - 630), Reasons.Ok },
        { "iat 10m31s ago", () => Token(c => c["iat"] = Now - 631), Reasons.TokenTooOld },
        { "no iat while max_age is set", () => Token(c => c.Remove("iat")), Reasons.TokenMissingClaim },
        { "exp - iat exactly 24h (max_lifetime)", () => Token(c => { c["iat"] = Now - 600; c["exp"] = Now - 600 + 86400; }), Reasons.Ok },
        { "exp - iat 24h and 1s", () => Token(c => { c["iat"] = Now - 600; c["exp"] = Now - 600 + 86401; }), Reasons.TokenLifetimeTooLong },
        { "exp ten years away", () => Token(c => c["exp"] = Now + 10L * 365 * 86400), Reasons.TokenLifetimeTooLong },
        { "iat 1 (1970), exp in an hour", () => Token(c => c["iat"] = 1L), Reasons.TokenLifetimeTooLong },
        { "missing exp", () => Token(c => c.Remove("exp")), Reasons.TokenMissingClaim },
        { "exp as a string", () => Token(c => c["exp"] = (Now + 600).ToString()), Reasons.TokenMalformed },
        { "exp null", () => Token(c => c["exp"] = null), Reasons.TokenMalformed },
        { "exp true", () => Token(c => c["exp"] = true), Reasons.TokenMalformed },
        { "exp negative", () => Token(c => c["exp"] = -1L), Reasons.TokenMalformed },
        { "exp beyond year 9999", () => Token(c => c["exp"] = 1e20), Reasons.TokenMalformed },
        { "exp fractional", () => Token(c => c["exp"] = Now + 600.5), Reasons.Ok },
        { "nbf as a string", () => Token(c => c["nbf"] = "0"), Reasons.TokenMalformed },

        // Audience: exact match only.
        { "aud with a trailing slash", () => Token(c => c["aud"] = MemorySite.Audience + "/"), Reasons.TokenAudience },
        { "aud in upper case", () => Token(c => c["aud"] = MemorySite.Audience.ToUpperInvariant()), Reasons.TokenAudience },
        { "aud with a suffix", () => Token(c => c["aud"] = MemorySite.Audience + ".evil.example"), Reasons.TokenAudience },
        { "aud as a prefix", () => Token(c => c["aud"] = "https://hpc.example"), Reasons.TokenAudience },
        { "aud array holding the right one", () => Token(c => c["aud"] = new[] { "https://other.example", MemorySite.Audience }), Reasons.Ok },
        { "aud array of only wrong ones", () => Token(c => c["aud"] = new[] { "https://other.example", MemorySite.Audience + "/" }), Reasons.TokenAudience },
        { "aud empty array", () => Token(c => c["aud"] = Array.Empty<string>()), Reasons.TokenAudience },
        { "aud missing", () => Token(c => c.Remove("aud")), Reasons.TokenAudience },
        { "aud a number", () => Token(c => c["aud"] = 1), Reasons.TokenMalformed },

        // Issuer: exact match only.
        { "iss with a trailing slash", () => Token(c => c["iss"] = MemorySite.GitLab + "/"), Reasons.TokenIssuer },
        { "iss with different case", () => Token(c => c["iss"] = "https://GitLab.example.org"), Reasons.TokenIssuer },
        { "iss with a suffix", () => Token(c => c["iss"] = MemorySite.GitLab + ".evil.example"), Reasons.TokenIssuer },
        { "iss as a prefix", () => Token(c => c["iss"] = "https://gitlab.example"), Reasons.TokenIssuer },
        { "iss missing", () => Token(c => c.Remove("iss")), Reasons.TokenMissingClaim },
        { "iss an array", () => Token(c => c["iss"] = new[] { MemorySite.GitLab }), Reasons.TokenMalformed },

        // Size (8 KiB) and shape.
        { "exactly 8192 characters", () => TokenOfLength(8192), Reasons.Ok },
        { "8193 characters", () => TokenOfLength(8193), Reasons.TokenTooLarge },
        { "1 MiB of dots", () => new string('.', 1 << 20), Reasons.TokenTooLarge },
        { "empty string", () => "", Reasons.TokenMalformed },
        { "two parts", () => { var p = Jws.Parts(Token()); return Jws.Join(p[0], p[1]); }, Reasons.TokenMalformed },
        { "four parts", () => Token() + ".AAAA", Reasons.TokenMalformed },
        { "five parts (JWE)", () => Jws.Join(Jws.B64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}"), "a", "b", "c", "d"), Reasons.TokenEncrypted },
        { "enc in a three-part header", () => Swap(Token(), 0, Jws.B64("{\"alg\":\"RS256\",\"kid\":\"gl-rsa-1\",\"enc\":\"A256GCM\"}")), Reasons.TokenEncrypted },
        { "empty header part", () => Swap(Token(), 0, ""), Reasons.TokenMalformed },
        { "empty payload part", () => Swap(Token(), 1, ""), Reasons.TokenMalformed },
        { "header not base64url ('+')", () => Swap(Token(), 0, "eyJhbGciOiJSUzI1NiJ9+"), Reasons.TokenMalformed },
        { "payload with standard base64 padding", () => Swap(Token(), 1, Jws.Parts(Token())[1] + "="), Reasons.TokenMalformed },
        { "header not JSON", () => Swap(Token(), 0, Jws.B64("alg=RS256")), Reasons.TokenMalformed },
        { "header a JSON array", () => Swap(Token(), 0, Jws.B64("[\"RS256\"]")), Reasons.TokenMalformed },
        { "header without alg", () => Token(header: Header(Rsa, ("alg", null))), Reasons.TokenMalformed },
        { "alg a number", () => Token(header: Header(Rsa, ("alg", 256))), Reasons.TokenMalformed },
        { "duplicate alg in the header", () => Jws.Raw("{\"alg\":\"RS256\",\"alg\":\"none\",\"kid\":\"gl-rsa-1\"}", Payload(), Rsa), Reasons.TokenMalformed },
        { "crit header", () => Token(header: Header(Rsa, ("crit", new[] { "exp" }), ("exp", 1))), Reasons.TokenCrit },
        { "crit empty list", () => Token(header: Header(Rsa, ("crit", Array.Empty<string>()))), Reasons.TokenCrit },
        { "payload a JSON array", () => Jws.Raw(Jws.Header(Rsa), "[" + Payload() + "]", Rsa), Reasons.TokenMalformed },
        { "payload a JSON string", () => Jws.Raw(Jws.Header(Rsa), "\"alice\"", Rsa), Reasons.TokenMalformed },
        { "payload not JSON", () => Jws.Raw(Jws.Header(Rsa), "user_login=alice", Rsa), Reasons.TokenMalformed },
        { "duplicate user_login claim", () => Jws.Raw(Jws.Header(Rsa), Payload().TrimEnd('}') + ",\"user_login\":\"root\"}", Rsa), Reasons.TokenMalformed },
        { "duplicate iss claim", () => Jws.Raw(Jws.Header(Rsa), Payload().TrimEnd('}') + $",\"iss\":\"{MemorySite.Other}\"}}", Rsa), Reasons.TokenMalformed },
        { "claim with an escaped surrogate pair", () => Jws.Raw(Jws.Header(Rsa), Payload().TrimEnd('}') + ",\"x\":\"\\ud83d\\ude00\"}", Rsa), Reasons.Ok },
        { "claim with an escaped backslash before a u", () => Jws.Raw(Jws.Header(Rsa), Payload().TrimEnd('}') + ",\"x\":\"\\\\ud800\"}", Rsa), Reasons.Ok },
        // Duplicates spelled with escapes are the same member ("\u0069ss" is "iss"); only the top level is judged.
        { "duplicate iss claim, the second escaped", () => Jws.Raw(Jws.Header(Rsa), Payload().TrimEnd('}') + $",\"\\u0069ss\":\"{MemorySite.Other}\"}}", Rsa), Reasons.TokenMalformed },
        { "duplicate alg in the header, the second escaped", () => Jws.Raw("{\"alg\":\"RS256\",\"\\u0061lg\":\"none\",\"kid\":\"gl-rsa-1\"}", Payload(), Rsa), Reasons.TokenMalformed },
        { "duplicate kid in the header, both escaped", () => Jws.Raw("{\"alg\":\"RS256\",\"\\u006bid\":\"gl-rsa-1\",\"k\\u0069d\":\"gl-rsa-1\"}", Payload(), Rsa), Reasons.TokenMalformed },
        { "duplicate member inside a claim object", () => Jws.Raw(Jws.Header(Rsa), Payload().TrimEnd('}') + ",\"x\":{\"a\":1,\"a\":2}}", Rsa), Reasons.Ok },
        { "duplicate member inside a header object", () => Jws.Raw("{\"alg\":\"RS256\",\"kid\":\"gl-rsa-1\",\"x\":{\"a\":1,\"\\u0061\":2}}", Payload(), Rsa), Reasons.Ok },
        { "payload nested 40 deep", () => Jws.Raw(Jws.Header(Rsa), Payload().TrimEnd('}') + ",\"deep\":" + new string('[', 40) + new string(']', 40) + "}", Rsa), Reasons.TokenMalformed },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Verifies(string name, Func<string> token, string reason)
    {
        var verifier = new TokenVerifier(Site.Config, Site.Keys, Site.Clock);
        var verified = verifier.Verify(token());
        string got = verified.Ok ? Reasons.Ok : verified.Refusal.Reason;
        Assert.True(reason == got, $"{name}: expected {reason}, got {verified}");
        if (verified.Ok) Assert.Equal("gitlab", verified.Value.Issuer.Name);
    }

    /// <summary>
    /// A duplicate member is said as one, whether its name is escaped or not, and the token is
    /// still JWT-shaped (so its hash may be audited); the first refusal of a header is the
    /// duplicate, before the alg 'none' its second spelling carries.
    /// </summary>
    public static TheoryData<string, Func<string>, string> Duplicates => new()
    {
        { "header, plain", () => Jws.Raw("{\"alg\":\"RS256\",\"alg\":\"none\",\"kid\":\"gl-rsa-1\"}", Payload(), Rsa), "token header has a duplicate member" },
        { "header, escaped", () => Jws.Raw("{\"alg\":\"RS256\",\"\\u0061lg\":\"none\",\"kid\":\"gl-rsa-1\"}", Payload(), Rsa), "token header has a duplicate member" },
        { "payload, plain", () => Jws.Raw(Jws.Header(Rsa), Payload().TrimEnd('}') + $",\"iss\":\"{MemorySite.Other}\"}}", Rsa), "token payload has a duplicate member" },
        { "payload, escaped", () => Jws.Raw(Jws.Header(Rsa), Payload().TrimEnd('}') + $",\"\\u0069ss\":\"{MemorySite.Other}\"}}", Rsa), "token payload has a duplicate member" },
        { "payload, escaped, also nested", () => Jws.Raw(Jws.Header(Rsa), Payload().TrimEnd('}') + $",\"x\":{{\"a\":1,\"a\":2}},\"\\u0069ss\":\"{MemorySite.Other}\"}}", Rsa), "token payload has a duplicate member" },
    };

    [Theory]
    [MemberData(nameof(Duplicates))]
    public void Refuses_a_duplicate_member_saying_so(string name, Func<string> token, string detail)
    {
        string t = token();
        var opened = TokenEnvelope.Open(t);
        Assert.False(opened.Ok, name);
        Assert.Equal(Reasons.TokenMalformed, opened.Refusal.Reason);
        Assert.Equal(detail, opened.Refusal.Detail);
        Assert.True(TokenEnvelope.IsJwtShaped(t), name);
    }

    /// <summary>
    /// Invalid UTF-8 or a lone surrogate escape inside a JSON string parses, and System.Text.Json
    /// throws only when the string is read: each case is validly signed, and must be a refusal,
    /// never an exception.
    /// </summary>
    public static TheoryData<string, Func<string>, string> NotUnicode => new()
    {
        { "header member name", () => Jws.RawBytes(Utf8("{\"alg\":\"RS256\",\"kid\":\"gl-rsa-1\",\"x", 0xff, "\":1}"), Encoding.UTF8.GetBytes(Payload()), Rsa), TokenEnvelope.NotJwtShaped },
        { "header alg", () => Jws.RawBytes(Utf8("{\"alg\":\"RS256", 0xc3, "\",\"kid\":\"gl-rsa-1\"}"), Encoding.UTF8.GetBytes(Payload()), Rsa), TokenEnvelope.NotJwtShaped },
        { "payload member name", () => Jws.RawBytes(Encoding.UTF8.GetBytes(Jws.Header(Rsa)), Utf8(Payload().TrimEnd('}') + ",\"x", 0xff, "\":1}"), Rsa), "token payload is not valid JSON" },
        { "payload iss", () => Jws.RawBytes(Encoding.UTF8.GetBytes(Jws.Header(Rsa)), Utf8("{\"iss\":\"" + MemorySite.GitLab, 0xc3, "\"}"), Rsa), "token payload is not valid JSON" },
        { "header alg, a lone low surrogate escaped", () => Jws.Raw("{\"alg\":\"RS256\\udc00\",\"kid\":\"gl-rsa-1\"}", Payload(), Rsa), TokenEnvelope.NotJwtShaped },
        { "payload iss, a lone high surrogate escaped", () => Jws.Raw(Jws.Header(Rsa), "{\"iss\":\"" + MemorySite.GitLab + "\\ud800\"}", Rsa), "token payload is not valid JSON" },
        { "payload member names, lone surrogates escaped", () => Jws.Raw(Jws.Header(Rsa), Payload().TrimEnd('}') + ",\"\\ud800\":1,\"\\ud801\":2}", Rsa), "token payload is not valid JSON" },
        { "payload, a nested claim with a reversed pair", () => Jws.Raw(Jws.Header(Rsa), Payload().TrimEnd('}') + ",\"x\":{\"y\":[\"\\ude00\\ud83d\"]}}", Rsa), "token payload is not valid JSON" },
        { "payload, an encoded surrogate", () => Jws.RawBytes(Encoding.UTF8.GetBytes(Jws.Header(Rsa)), Utf8(Payload().TrimEnd('}') + ",\"x\":\"", 0xed, 0xa0, 0x80, "\"}"), Rsa), "token payload is not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(NotUnicode))]
    public void Refuses_text_that_is_not_Unicode_without_throwing(string name, Func<string> token, string detail)
    {
        string t = token();
        var opened = TokenEnvelope.Open(t);
        Assert.False(opened.Ok, name);
        Assert.Equal(Reasons.TokenMalformed, opened.Refusal.Reason);
        Assert.Equal(detail, opened.Refusal.Detail);
        Assert.Equal(detail != TokenEnvelope.NotJwtShaped, TokenEnvelope.IsJwtShaped(t));
        var decision = Site.Authorizer.Authorize(t);
        Assert.Equal(Reasons.TokenMalformed, decision.Reason);
    }

    private static byte[] Utf8(params object[] pieces) =>
        pieces.SelectMany(p => p is string text ? Encoding.UTF8.GetBytes(text) : [(byte)(int)p]).ToArray();

    /// <summary>
    /// RFC 7519 4.1: iss, sub, jti strings; aud a string or an array of strings; exp, nbf, iat
    /// numbers. Each case is validly signed by the issuer, so only the type can refuse it; the
    /// message must name the claim.
    /// </summary>
    public static TheoryData<string, Action<Dictionary<string, object?>>, string> TypeViolations => new()
    {
        { "iss a number", c => c["iss"] = 1, "iss" },
        { "iss null", c => c["iss"] = null, "iss" },
        { "iss an object", c => c["iss"] = new Dictionary<string, object?> { ["url"] = MemorySite.GitLab }, "iss" },
        { "sub an object", c => c["sub"] = new Dictionary<string, object?> { ["a"] = 1 }, "sub" },
        { "sub a number", c => c["sub"] = 7, "sub" },
        { "sub an array", c => c["sub"] = new[] { "alice" }, "sub" },
        { "sub null", c => c["sub"] = null, "sub" },
        { "jti a number", c => c["jti"] = 5, "jti" },
        { "jti a boolean", c => c["jti"] = true, "jti" },
        { "jti an object", c => c["jti"] = new Dictionary<string, object?>(), "jti" },
        { "aud a number", c => c["aud"] = 1, "aud" },
        { "aud an object", c => c["aud"] = new Dictionary<string, object?> { ["aud"] = MemorySite.Audience }, "aud" },
        { "aud null", c => c["aud"] = null, "aud" },
        { "aud array with a number before the right audience", c => c["aud"] = new object[] { 1, MemorySite.Audience }, "aud" },
        { "aud array with null after the right audience", c => c["aud"] = new object?[] { MemorySite.Audience, null }, "aud" },
        { "aud array with a nested array", c => c["aud"] = new object[] { new[] { MemorySite.Audience } }, "aud" },
        { "exp a string", c => c["exp"] = (Now + 600).ToString(System.Globalization.CultureInfo.InvariantCulture), "exp" },
        { "nbf a boolean", c => c["nbf"] = false, "nbf" },
        { "iat a string", c => c["iat"] = Now.ToString(System.Globalization.CultureInfo.InvariantCulture), "iat" },
        { "iat an array", c => c["iat"] = new[] { Now }, "iat" },
        { "iat null", c => c["iat"] = null, "iat" },
    };

    [Theory]
    [MemberData(nameof(TypeViolations))]
    public void Refuses_a_registered_claim_of_the_wrong_type_naming_it(string name, Action<Dictionary<string, object?>> edit, string claim)
    {
        var verified = new TokenVerifier(Site.Config, Site.Keys, Site.Clock).Verify(Token(edit));
        Assert.False(verified.Ok, $"{name}: accepted");
        Assert.True(verified.Refusal.Reason == Reasons.TokenMalformed, $"{name}: expected {Reasons.TokenMalformed}, got {verified}");
        Assert.Contains($"claim '{claim}'", verified.Refusal.Detail);
    }

    /// <summary>The sites the bounds are checked in: the defaults, and both bounds set tightly around a 1h GitLab job.</summary>
    private static readonly Dictionary<string, MemorySite> BoundSites = new()
    {
        ["defaults"] = new MemorySite(),
        ["tight"] = new MemorySite(MemorySite.DefaultYaml().Replace("    clock_skew: 30s", "    clock_skew: 30s\n    max_lifetime: 1h5m\n    max_age: 5m")),
    };

    /// <summary>GitLab's ID token for a job started <paramref name="startedAgo"/> seconds ago: exp - iat = the job timeout plus 5 minutes.</summary>
    private static string GitLabJob(long startedAgo, TimeSpan timeout, Action<Dictionary<string, object?>>? edit = null)
    {
        var claims = GitLabClaims.For(MemorySite.GitLab, MemorySite.Audience, "alice", FixedClock.Epoch.AddSeconds(-startedAgo), timeout + TimeSpan.FromMinutes(5));
        edit?.Invoke(claims);
        return Rsa.Sign(claims);
    }

    public static TheoryData<string, string, Func<string>, string> Bounds => new()
    {
        // Defaults: max_lifetime 24h, no max_age, clock_skew 30s.
        { "GitLab job, 1h timeout, just started", "defaults", () => GitLabJob(0, TimeSpan.FromHours(1)), Reasons.Ok },
        { "GitLab job, 1h timeout, 1h4m in", "defaults", () => GitLabJob(3840, TimeSpan.FromHours(1)), Reasons.Ok },
        { "GitLab job, 23h55m timeout (exp - iat = 24h)", "defaults", () => GitLabJob(60, TimeSpan.FromHours(24) - TimeSpan.FromMinutes(5)), Reasons.Ok },
        { "GitLab job, 24h timeout (exp - iat = 24h5m)", "defaults", () => GitLabJob(60, TimeSpan.FromHours(24)), Reasons.TokenLifetimeTooLong },
        { "exp - iat exactly 24h", "defaults", () => GitLabJob(0, TimeSpan.FromHours(24), c => c["exp"] = Now + 86400), Reasons.Ok },
        { "exp - iat 24h and 1s", "defaults", () => GitLabJob(0, TimeSpan.FromHours(24), c => c["exp"] = Now + 86401), Reasons.TokenLifetimeTooLong },
        { "no iat (max_lifetime always applies)", "defaults", () => GitLabJob(0, TimeSpan.FromHours(1), c => c.Remove("iat")), Reasons.TokenMissingClaim },
        { "issued 1970 (iat 1), exp in 10 minutes", "defaults", () => GitLabJob(0, TimeSpan.FromHours(1), c => { c["iat"] = 1L; c["nbf"] = 1L; c["exp"] = Now + 600; }), Reasons.TokenLifetimeTooLong },
        { "exp ten years away", "defaults", () => GitLabJob(0, TimeSpan.FromHours(1), c => c["exp"] = Now + 10L * 365 * 86400), Reasons.TokenLifetimeTooLong },
        { "issued a week ago, 1h before exp (no max_age)", "defaults", () => GitLabJob(0, TimeSpan.FromHours(1), c => { c["iat"] = Now - 7 * 86400; c["nbf"] = Now - 7 * 86400; c["exp"] = Now + 3600; }), Reasons.TokenLifetimeTooLong },

        // Tight: max_lifetime 1h5m (a 1h GitLab job exactly), max_age 5m, clock_skew 30s.
        { "GitLab job, 1h timeout, at max_lifetime exactly", "tight", () => GitLabJob(0, TimeSpan.FromHours(1)), Reasons.Ok },
        { "GitLab job, 1h timeout + 1s", "tight", () => GitLabJob(0, TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1)), Reasons.TokenLifetimeTooLong },
        { "issued 5m30s ago (max_age + skew)", "tight", () => GitLabJob(330, TimeSpan.FromHours(1)), Reasons.Ok },
        { "issued 5m31s ago", "tight", () => GitLabJob(331, TimeSpan.FromHours(1)), Reasons.TokenTooOld },
        { "issued 1h4m ago, still before exp", "tight", () => GitLabJob(3840, TimeSpan.FromHours(1)), Reasons.TokenTooOld },
        { "no iat", "tight", () => GitLabJob(0, TimeSpan.FromHours(1), c => c.Remove("iat")), Reasons.TokenMissingClaim },
    };

    [Theory]
    [MemberData(nameof(Bounds))]
    public void Bounds_lifetime_and_age_per_issuer(string name, string site, Func<string> token, string reason)
    {
        var s = BoundSites[site];
        var verified = new TokenVerifier(s.Config, s.Keys, s.Clock).Verify(token());
        string got = verified.Ok ? Reasons.Ok : verified.Refusal.Reason;
        Assert.True(reason == got, $"{name}: expected {reason}, got {verified}");
        if (reason == Reasons.TokenMissingClaim) Assert.Contains("'iat'", verified.Refusal.Detail);
    }

    [Fact]
    public void Explain_trace_shows_both_bounds_and_the_refusal_names_the_setting()
    {
        var site = BoundSites["tight"];
        var verifier = new TokenVerifier(site.Config, site.Keys, site.Clock);
        var trace = new ListTrace();
        Assert.True(verifier.Verify(GitLabJob(120, TimeSpan.FromHours(1)), trace).Ok);
        Assert.Contains("lifetime: exp - iat = 1h5m, within max_lifetime 1h5m", trace.Lines);
        Assert.Contains("age: issued 2m ago, within max_age 5m (plus clock skew 30s)", trace.Lines);

        trace = new ListTrace();
        var tooLong = verifier.Verify(GitLabJob(0, TimeSpan.FromHours(2)), trace).Refusal;
        Assert.Equal(Reasons.TokenLifetimeTooLong, tooLong.Reason);
        Assert.Contains("token lives 2h5m", tooLong.Detail);
        Assert.Contains("issuers 'gitlab' max_lifetime is 1h5m", tooLong.Detail);
        Assert.StartsWith($"refused: {Reasons.TokenLifetimeTooLong}: ", trace.Lines[^1]);

        var tooOld = verifier.Verify(GitLabJob(600, TimeSpan.FromHours(1))).Refusal;
        Assert.Equal(Reasons.TokenTooOld, tooOld.Reason);
        Assert.Contains("issued 10m ago", tooOld.Detail);
        Assert.Contains("issuers 'gitlab' max_age is 5m", tooOld.Detail);

        var defaults = BoundSites["defaults"];
        trace = new ListTrace();
        Assert.True(new TokenVerifier(defaults.Config, defaults.Keys, defaults.Clock).Verify(GitLabJob(0, TimeSpan.FromHours(1)), trace).Ok);
        Assert.Contains("lifetime: exp - iat = 1h5m, within max_lifetime 24h", trace.Lines);
        Assert.Contains("age: issued 0s ago (max_age not set)", trace.Lines);
    }

    private sealed class ListTrace : ITrace
    {
        public List<string> Lines { get; } = [];
        public void Line(string text) => Lines.Add(text);
    }
}
