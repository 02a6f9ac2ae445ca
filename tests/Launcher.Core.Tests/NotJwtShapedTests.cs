using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Tests.Support;
using Launcher.Core.Tokens;

namespace Launcher.Core.Tests;

/// <summary>
/// Input that is not shaped like a JWT, most likely a password typed at the PAM Token prompt:
/// one fixed refusal text whatever it is, no hash, through every path (token file or PAM bytes,
/// the verifier, the decision). JWT-shaped tokens that fail later keep their specific detail.
/// </summary>
public class NotJwtShapedTests
{
    private static readonly MemorySite Site = new();

    public static TheoryData<string, string> Passwords => new()
    {
        { "plain word", "hunter2" },
        { "passphrase with spaces", "correct horse battery staple" },
        { "symbols", "P@ssw0rd!#%&" },
        { "non-ASCII", "pässwörd-€" },
        { "control character", "pass\tword" },
        { "base64url alphabet, no dot", "Tr0ub4dor_and-3" },
        { "one dot", "first.second" },
        { "two dots (three parts)", "abc.def.ghi" },
        { "two dots, first part base64url of text", "aGVsbG8.d29ybGQ.eA" },
        { "two dots, first part base64url of a JSON array", "WzEsMl0.eA.eA" },
        { "three dots", "a.b.c.d" },
        { "four dots (five parts)", "aa.bb.cc.dd.ee" },
        { "empty first part", ".eyJhIjoxfQ.sig" },
        { "only dots", ".." },
        { "starts like a JWT, then a space", "eyJhbGciOiJFUzI1NiJ9.e30.c2ln x" },
    };

    [Theory]
    [MemberData(nameof(Passwords))]
    public void Gets_one_generic_refusal_and_no_hash(string name, string password)
    {
        // As the PAM library and --token-file read it: raw bytes.
        var read = TokenEnvelope.FromFileText(Encoding.UTF8.GetBytes(password));
        // As the verifier sees a string (bytes that pass the alphabet check reach it).
        var envelope = TokenEnvelope.Open(password);
        var decision = Site.Authorizer.Authorize(password);

        Assert.False(envelope.Ok, name);
        Assert.False(TokenEnvelope.IsJwtShaped(password), name);
        var refusals = new List<Refusal> { envelope.Refusal };
        if (!read.Ok) refusals.Add(read.Refusal);
        foreach (var failure in refusals)
        {
            Assert.Equal(Reasons.TokenMalformed, failure.Reason);
            Assert.Equal(TokenEnvelope.NotJwtShaped, failure.Detail);
        }
        Assert.Equal(Reasons.TokenMalformed, decision.Reason);
        Assert.Equal(TokenEnvelope.NotJwtShaped, decision.Detail);
        Assert.Null(decision.TokenSha256);
        Assert.Null(decision.Token);
    }

    [Fact]
    public void The_refusal_text_says_nothing_about_the_input()
    {
        // No numbers (byte values, lengths, counts) and no quoted excerpt.
        Assert.DoesNotMatch("[0-9'\"]", TokenEnvelope.NotJwtShaped.Replace("base64url", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Oversized_input_is_refused_without_its_size()
    {
        foreach (int size in new[] { 8193, 8194, 100_000 })
        {
            var read = TokenEnvelope.FromFileText(new byte[size]);
            Assert.False(read.Ok);
            Assert.Equal(Reasons.TokenTooLarge, read.Refusal.Reason);
            Assert.DoesNotContain(size.ToString(), read.Refusal.Detail);
            var opened = TokenEnvelope.Open(new string('a', size));
            Assert.False(opened.Ok);
            Assert.DoesNotContain(size.ToString(), opened.Refusal.Detail);
        }
    }

    public static TheoryData<string, Func<string>, string, string> JwtShaped => new()
    {
        { "expired", () => Site.Token(edit: c => c["exp"] = FixedClock.Epoch.ToUnixTimeSeconds() - 3600), Reasons.TokenExpired, "expired" },
        { "unsigned", () => string.Join('.', Jws.Parts(Site.Token())[..2]) + ".", Reasons.TokenUnsigned, "no signature" },
        { "payload not JSON", () => Jws.Parts(Site.Token())[0] + "." + Jws.B64("user_login=alice") + ".c2ln", Reasons.TokenMalformed, "payload is not valid JSON" },
        { "five parts with a JSON header (JWE)", () => Jws.Join(Jws.B64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}"), "a", "b", "c", "d"), Reasons.TokenEncrypted, "JWE" },
    };

    [Theory]
    [MemberData(nameof(JwtShaped))]
    public void A_JWT_that_fails_later_keeps_its_detail_and_hash(string name, Func<string> token, string reason, string detail)
    {
        string t = token();
        Assert.True(TokenEnvelope.IsJwtShaped(t), name);
        var decision = Site.Authorizer.Authorize(t);
        Assert.Equal(reason, decision.Reason);
        Assert.Contains(detail, decision.Detail);
        Assert.NotEqual(TokenEnvelope.NotJwtShaped, decision.Detail);
        Assert.Equal(TokenVerifier.Sha256Hex(t), decision.TokenSha256);
    }
}
