using Launcher.Core.Authorization;
using Launcher.Core.Tests.Support;

namespace Launcher.Core.Tests;

/// <summary>The whole decision path over the fixture world: token, rules, account.</summary>
public class AuthorizerTests
{
    private static readonly MemorySite Site = new();

    public static TheoryData<string, Func<string>, string, string?> Cases => new()
    {
        { "valid RS256 token for alice", () => Site.Token("alice"), Reasons.Ok, "alice" },
        { "valid ES256 token for bob", () => Site.Token("bob", key: MemorySite.Ec), Reasons.Ok, "bob" },
        { "project outside hpc/", () => Site.Token("alice", c => c["project_path"] = "hpc-evil/x"), Reasons.PolicyNoMatch, null },
        { "unprotected ref", () => Site.Token("alice", c => c["ref_protected"] = "false"), Reasons.PolicyNoMatch, null },
        { "maps to root", () => Site.Token("root"), Reasons.AccountDeniedUser, null },
        { "maps to unknown user", () => Site.Token("nobody-here"), Reasons.AccountNotFound, null },
        { "maps to system account", () => Site.Token("svc"), Reasons.AccountUidBelowMin, null },
        { "user name with slash", () => Site.Token("../etc"), Reasons.PolicyRunAsInvalid, null },
        { "key of another issuer", () => Site.Token("alice", key: MemorySite.OtherKey), Reasons.TokenUnknownKid, null },
        { "same kid, stranger's key", () => Site.Token("alice", key: MemorySite.Stranger), Reasons.TokenBadSignature, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decides(string name, Func<string> token, string reason, string? user)
    {
        var decision = Site.Authorizer.Authorize(token());
        Assert.True(reason == decision.Reason, $"{name}: expected {reason}, got {decision.Reason} ({decision.Detail})");
        Assert.Equal(user, decision.Allowed ? decision.Account!.Name : null);
    }
}
