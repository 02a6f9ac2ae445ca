using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Tests.Support;
using Launcher.Core.Tokens;
using Launcher.TestIssuer;

namespace Launcher.Core.Tests;

/// <summary>Red-team cases through TokenVerifier: alg/kid type confusion, escaped and many-member duplicates, invalid escapes; each a clean refusal, and a valid token still verifies after it.</summary>
public class HostileTokenTests
{
    private static readonly MemorySite Site = new(MemorySite.DefaultYaml());
    private static readonly IssuerKey Rsa = MemorySite.Rsa;
    private static readonly IssuerKey Ec = MemorySite.Ec;
    private static string Payload(string extra = "") => IssuerKey.Json(Site.Claims()).TrimEnd('}') + extra + "}";

    private static string Many(int count, bool dup, bool escapedDup = false)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < count; i++) sb.Append($",\"{(char)(0x100 + i % 0x700)}{(i >= 0x700 ? "x" : "")}\":0");
        if (dup) sb.Append(escapedDup ? ",\"\\u0107\":1" : ",\"\u0107\":1");
        return sb.ToString();
    }

    public static TheoryData<string, Func<string>, string> Cases => new()
    {
        { "valid", () => Jws.Raw(Jws.Header(Rsa), Payload(), Rsa), Reasons.Ok },
        { "ES256 signed, RSA kid", () => Jws.Raw("{\"alg\":\"ES256\",\"kid\":\"gl-rsa-1\"}", Payload(), Ec), "!" },
        { "RS256 signed, EC kid", () => Jws.Raw("{\"alg\":\"RS256\",\"kid\":\"gl-ec-1\"}", Payload(), Rsa), "!" },
        { "PS256 alg, RS256 signature", () => Jws.Raw("{\"alg\":\"PS256\",\"kid\":\"gl-rsa-1\"}", Payload(), Rsa), "!" },
        { "iss and \\u0069ss", () => Jws.Raw(Jws.Header(Rsa), Payload(",\"\\u0069ss\":\"x\""), Rsa), Reasons.TokenMalformed },
        { "iss and \\u0069\\u0073\\u0073", () => Jws.Raw(Jws.Header(Rsa), Payload(",\"\\u0069\\u0073\\u0073\":\"x\""), Rsa), Reasons.TokenMalformed },
        { "sub and s\\u0075b, upper hex", () => Jws.Raw(Jws.Header(Rsa), Payload(",\"s\\u0075b\":\"root\""), Rsa), Reasons.TokenMalformed },
        { "sub and s\\/ub? (\\/ escape)", () => Jws.Raw(Jws.Header(Rsa), Payload(",\"s\\/ub\":\"root\""), Rsa), Reasons.Ok },
        { "header alg twice escaped", () => Jws.Raw("{\"alg\":\"RS256\",\"kid\":\"gl-rsa-1\",\"\\u0061\\u006C\\u0067\":\"none\"}", Payload(), Rsa), Reasons.TokenMalformed },
        { "2000 members", () => Jws.Raw(Jws.Header(Rsa), Payload(Many(2000, false)), Rsa), Reasons.TokenTooLarge },
        { "600 members", () => Jws.Raw(Jws.Header(Rsa), Payload(Many(600, false)), Rsa), Reasons.Ok },
        { "600 members + dup", () => Jws.Raw(Jws.Header(Rsa), Payload(Many(600, true)), Rsa), Reasons.TokenMalformed },
        { "600 members + escaped dup", () => Jws.Raw(Jws.Header(Rsa), Payload(Many(600, true, true)), Rsa), Reasons.TokenMalformed },
        { "header 600 members + dup", () => Jws.Raw("{\"alg\":\"RS256\",\"kid\":\"gl-rsa-1\"" + Many(600, true) + "}", Payload(), Rsa), Reasons.TokenMalformed },
        { "2000 members + dup", () => Jws.Raw(Jws.Header(Rsa), Payload(Many(2000, true)), Rsa), Reasons.TokenTooLarge },
        { "2000 members + escaped dup", () => Jws.Raw(Jws.Header(Rsa), Payload(Many(2000, true, true)), Rsa), Reasons.TokenTooLarge },
        { "header 2000 members + dup", () => Jws.Raw("{\"alg\":\"RS256\",\"kid\":\"gl-rsa-1\"" + Many(2000, true) + "}", Payload(), Rsa), Reasons.TokenTooLarge },
        { "nested dup", () => Jws.Raw(Jws.Header(Rsa), Payload(",\"x\":{\"a\":1,\"\\u0061\":2,\"y\":[{\"b\":1,\"b\":2}]}"), Rsa), Reasons.Ok },
        { "invalid escape \\u00zz", () => Jws.Raw(Jws.Header(Rsa), Payload(",\"\\u00zz\":1"), Rsa), Reasons.TokenMalformed },
        { "invalid escape \\x", () => Jws.Raw(Jws.Header(Rsa), Payload(",\"\\x41\":1"), Rsa), Reasons.TokenMalformed },
        { "truncated escape", () => Jws.Raw(Jws.Header(Rsa), Payload(",\"\\u006\":1"), Rsa), Reasons.TokenMalformed },
        { "escaped NUL name twice", () => Jws.Raw(Jws.Header(Rsa), Payload(",\"\\u0000\":1,\"\\u0000\":2"), Rsa), Reasons.TokenMalformed },
        { "header invalid escape", () => Jws.Raw("{\"alg\":\"RS256\",\"kid\":\"gl-rsa-1\",\"\\q\":1}", Payload(), Rsa), "!" },
        { "lone surrogate names differing", () => Jws.Raw(Jws.Header(Rsa), Payload(",\"\\udc00\":1,\"\\udc01\":2"), Rsa), Reasons.TokenMalformed },
        { "surrogate pair dup", () => Jws.Raw(Jws.Header(Rsa), Payload(",\"\\ud83d\\ude00\":1,\"\U0001F600\":2"), Rsa), Reasons.TokenMalformed },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Attack(string name, Func<string> token, string reason)
    {
        var verifier = new TokenVerifier(Site.Config, Site.Keys, Site.Clock);
        string t = token();
        var verified = verifier.Verify(t);
        string got = verified.Ok ? Reasons.Ok : verified.Refusal.Reason;
        if (reason == "!") Assert.False(verified.Ok, $"{name}: accepted");
        else Assert.True(reason == got, $"{name}: expected {reason}, got {verified}");
        var decision = Site.Authorizer.Authorize(t);
        Assert.NotNull(decision.Reason);
        // a refused token, then a valid one, same process
        Assert.True(verifier.Verify(Jws.Raw(Jws.Header(Rsa), Payload(), Rsa)).Ok);
        Assert.True(verifier.Verify(Jws.Raw(Jws.Header(Ec), Payload(), Ec)).Ok);
    }
}
