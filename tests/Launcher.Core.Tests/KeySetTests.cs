using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Tokens;
using Launcher.TestIssuer;

namespace Launcher.Core.Tests;

/// <summary>KeySet.Parse over named JWKS documents: which keys may ever verify a token, and why the others are dropped.</summary>
public class KeySetTests
{
    private static readonly IssuerKey Rsa = IssuerKey.CreateRsa("rsa-1");
    private static readonly IssuerKey Ec = IssuerKey.CreateEc("ec-1");
    private static readonly IssuerKey Rsa1024 = IssuerKey.CreateRsa("rsa-1024", bits: 1024);

    private static Dictionary<string, object> With(IssuerKey key, params (string Name, object? Value)[] members)
    {
        var jwk = key.PublicJwk();
        foreach (var (name, value) in members)
            if (value is null) jwk.Remove(name); else jwk[name] = value;
        return jwk;
    }

    private static string Doc(params Dictionary<string, object>[] jwks) => IssuerKey.JwksOf(jwks);

    /// <summary>The 1024-bit modulus left-padded with zero bytes to 257 bytes: as long as a 2048-bit modulus, but not one.</summary>
    private static string PaddedWeakModulus()
    {
        byte[] n = System.Buffers.Text.Base64Url.DecodeFromChars((string)Rsa1024.PublicJwk()["n"]);
        return IssuerKey.B64([.. new byte[257 - n.Length], .. n]);
    }

    /// <summary>Each case: the document, the kids that must be usable ("" = the document is refused), and a fragment of the skip or failure text.</summary>
    public static TheoryData<string, string, string, string?> Cases => new()
    {
        { "RSA and EC keys", Doc(Rsa.PublicJwk(), Ec.PublicJwk()), "ec-1,rsa-1", null },
        { "RSA key without alg or use", Doc(With(Rsa, ("alg", null), ("use", null))), "rsa-1", null },
        { "RSA modulus with one leading zero byte", Doc(With(Rsa, ("n", IssuerKey.B64([0, .. System.Buffers.Text.Base64Url.DecodeFromChars((string)Rsa.PublicJwk()["n"])])))), "rsa-1", null },
        { "oct key beside an RSA key", Doc(new() { ["kty"] = "oct", ["kid"] = "hmac", ["k"] = "c2VjcmV0" }, Rsa.PublicJwk()), "rsa-1", "symmetric (oct) keys are never used" },
        { "only an oct key", Doc(new Dictionary<string, object> { ["kty"] = "oct", ["kid"] = "hmac", ["k"] = "c2VjcmV0", ["alg"] = "HS256" }), "", "no usable signing key" },
        { "RSA 1024 bits", Doc(Rsa1024.PublicJwk(), Rsa.PublicJwk()), "rsa-1", "1024 bits is below 2048" },
        { "RSA 1024 bits padded with zero bytes to 257", Doc(With(Rsa1024, ("n", PaddedWeakModulus())), Rsa.PublicJwk()), "rsa-1", "1024 bits is below 2048" },
        { "duplicate kid", Doc(Rsa.PublicJwk(), With(Ec, ("kid", "rsa-1")), With(Ec, ("kid", "ec-x"))), "ec-x", "appears more than once" },
        { "duplicate kid and nothing else", Doc(Rsa.PublicJwk(), Rsa.PublicJwk()), "", "appears more than once" },
        { "RSA with private exponent d", Doc(With(Rsa, ("d", "AQAB")), Ec.PublicJwk()), "ec-1", "private key" },
        { "RSA with prime p only", Doc(With(Rsa, ("p", "AQAB")), Ec.PublicJwk()), "ec-1", "private key" },
        { "RSA with CRT member qi only", Doc(With(Rsa, ("qi", "AQAB")), Ec.PublicJwk()), "ec-1", "private key" },
        { "EC with private d", Doc(With(Ec, ("d", "AQAB")), Rsa.PublicJwk()), "rsa-1", "private key" },
        { "use enc", Doc(With(Rsa, ("use", "enc")), Ec.PublicJwk()), "ec-1", "use 'enc'" },
        { "alg HS256 on an RSA key", Doc(With(Rsa, ("alg", "HS256")), Ec.PublicJwk()), "ec-1", "alg 'HS256'" },
        { "alg none on an RSA key", Doc(With(Rsa, ("alg", "none")), Ec.PublicJwk()), "ec-1", "alg 'none'" },
        { "key_ops without verify", Doc(With(Rsa, ("key_ops", new[] { "sign" })), Ec.PublicJwk()), "ec-1", "key_ops" },
        { "key_ops with verify", Doc(With(Rsa, ("key_ops", new[] { "verify" }))), "rsa-1", null },
        { "no kid", Doc(With(Rsa, ("kid", null)), Ec.PublicJwk()), "ec-1", "no kid" },
        { "empty kid", Doc(With(Rsa, ("kid", "")), Ec.PublicJwk()), "ec-1", "no kid" },
        { "EC curve secp256k1", Doc(With(Ec, ("crv", "secp256k1")), Rsa.PublicJwk()), "rsa-1", "unsupported curve" },
        { "EC point not on the curve", Doc(With(Ec, ("y", (string)Rsa.PublicJwk()["e"])), Rsa.PublicJwk()), "rsa-1", "key" },
        { "EC point off the curve, coordinates of full length", Doc(With(Ec, ("y", (string)Ec.PublicJwk()["x"])), Rsa.PublicJwk()), "rsa-1", "EC key material is invalid" },
        { "EC coordinate one byte short", Doc(With(Ec, ("x", IssuerKey.B64(System.Buffers.Text.Base64Url.DecodeFromChars((string)Ec.PublicJwk()["x"])[1..]))), Rsa.PublicJwk()), "rsa-1", "full length" },
        { "RSA with an even exponent", Doc(With(Rsa, ("e", IssuerKey.B64([1, 0, 0]))), Ec.PublicJwk()), "ec-1", "RSA key material is invalid" },
        { "unknown kty", Doc(new Dictionary<string, object> { ["kty"] = "OKP", ["kid"] = "ed", ["crv"] = "Ed25519", ["x"] = "AAAA" }, Rsa.PublicJwk()), "rsa-1", "'OKP' is not supported" },
        { "key entry not an object", "{\"keys\":[\"rsa-1\"," + Rsa.PublicJwk().Count + "]}", "", "not an object" },
        { "empty key list", "{\"keys\":[]}", "", "the key list is empty" },
        { "keys not an array", "{\"keys\":{}}", "", "no \"keys\" array" },
        { "a JSON array", "[" + IssuerKey.Jwks(Rsa) + "]", "", "no \"keys\" array" },
        { "not JSON", "<html>", "", "not valid JSON" },
        { "empty document", "", "", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parses(string name, string json, string usableKids, string? text)
    {
        var parsed = KeySet.Parse(Encoding.UTF8.GetBytes(json), "test.jwks");
        if (usableKids.Length == 0)
        {
            Assert.True(!parsed.Ok, $"{name}: expected refusal, got keys {(parsed.Ok ? string.Join(",", parsed.Value.Keys.Select(k => k.KeyId)) : "")}");
            Assert.Equal(Reasons.JwksInvalid, parsed.Refusal.Reason);
            Assert.True(parsed.Refusal.IsSiteError);
            if (text is not null) Assert.Contains(text, parsed.Refusal.Detail);
            return;
        }
        Assert.True(parsed.Ok, $"{name}: refused: {parsed}");
        var keys = parsed.Value;
        Assert.Equal(usableKids, string.Join(",", keys.Keys.Select(k => k.KeyId).Order(StringComparer.Ordinal)));
        if (text is null) Assert.Empty(keys.Skipped);
        else Assert.Contains(keys.Skipped, s => s.Contains(text, StringComparison.Ordinal));
    }
}
