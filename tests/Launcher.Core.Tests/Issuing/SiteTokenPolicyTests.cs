using System.Buffers.Text;
using System.Text.Json;
using Launcher.Core.Authorization;
using Launcher.Core.Issuing;
using Launcher.Core.Tests.Support;

namespace Launcher.Core.Tests.Issuing;

/// <summary>From an allowed decision to a site token: every refusal, the caps, the claims and the size.</summary>
public class SiteTokenPolicyTests
{
    private static readonly MemorySite Site = IssuingWorld.Site();
    private static readonly long Now = FixedClock.Epoch.ToUnixTimeSeconds();
    private const uint Alice = 1001;

    private static Outcome<SiteTokenGrant> Issue(string token, uint caller = Alice,
        string audience = IssuingWorld.SshAudience, TimeSpan? lifetime = null, MemorySite? site = null)
    {
        site ??= Site;
        var decision = site.Authorizer.Authorize(token);
        Assert.True(decision.Allowed, $"{decision.Reason}: {decision.Detail}");
        return SiteTokenPolicy.Check(decision, site.Config.Issuing!, caller, audience, lifetime, site.Clock.GetUtcNow());
    }

    public static TheoryData<string, Func<Outcome<SiteTokenGrant>>, string> Refusals => new()
    {
        { "caller is another uid", () => Issue(Site.Token("alice"), caller: 1002), Reasons.IssuingCallerUid },
        { "caller is root", () => Issue(Site.Token("alice"), caller: 0), Reasons.IssuingCallerUid },
        { "audience not in issuing.audiences", () => Issue(Site.Token("alice"), audience: "ssh://evil.example.org"), Reasons.IssuingAudience },
        { "audience differs by a trailing slash", () => Issue(Site.Token("alice"), audience: "ssh://login.example.org/"), Reasons.IssuingAudience },
        { "lifetime above max_lifetime", () => Issue(Site.Token("alice"), lifetime: TimeSpan.FromMinutes(6)), Reasons.IssuingLifetime },
        { "issuer not in from_issuers", () => Issue(Site.Token("alice", key: MemorySite.OtherKey, edit: c => c["iss"] = MemorySite.Other)), Reasons.IssuingFromIssuer },
        // Within the verifier's 30s clock skew the CI token is still accepted, but it has no lifetime left to give.
        { "CI token expired 10s ago", () => Issue(Site.Token("alice", c => c["exp"] = Now - 10)), Reasons.TokenExpired },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refuses(string name, Func<Outcome<SiteTokenGrant>> issue, string reason)
    {
        var grant = issue();
        Assert.False(grant.Ok, $"{name}: a token was granted");
        var refusal = grant.Refusal;
        Assert.True(reason == refusal.Reason, $"{name}: expected {reason}, got {refusal}");
        Assert.Equal(RefusalKind.Denied, refusal.Kind);
    }

    [Fact]
    public void Grants_site_claims_and_the_configured_job_claims()
    {
        var grant = Issue(Site.Token("alice")).Value;
        Assert.NotNull(grant);
        var claims = Payload(grant.Sign(IssuingWorld.Key));
        Assert.Equal(IssuingWorld.SiteIssuer, claims.GetProperty("iss").GetString());
        Assert.Equal("alice", claims.GetProperty("sub").GetString());
        Assert.Equal(IssuingWorld.SshAudience, claims.GetProperty("aud").GetString());
        Assert.Equal(Now, claims.GetProperty("iat").GetInt64());
        Assert.Equal(Now, claims.GetProperty("nbf").GetInt64());
        Assert.Equal(Now + 300, claims.GetProperty("exp").GetInt64());
        Assert.Equal(16, claims.GetProperty("jti").GetString()!.Length);
        Assert.Equal("4242", claims.GetProperty("project_id").GetString());
        Assert.Equal("hpc/solver", claims.GetProperty("project_path").GetString());
        Assert.Equal("1001", claims.GetProperty("job_id").GetString());
        Assert.Equal("main", claims.GetProperty("ref").GetString());
        // Nothing else of the CI token leaks through (user_email, the CI sub, ...).
        Assert.Equal(["iss", "sub", "aud", "iat", "nbf", "exp", "jti", "project_id", "project_path", "job_id", "ref"],
            claims.EnumerateObject().Select(p => p.Name).ToArray());
    }

    [Fact]
    public void Each_token_gets_its_own_jti()
    {
        var a = Issue(Site.Token("alice")).Value;
        var b = Issue(Site.Token("alice")).Value;
        Assert.NotEqual(a.Jti, b.Jti);
    }

    [Fact]
    public void Requested_lifetime_below_the_cap_is_honoured()
    {
        var grant = Issue(Site.Token("alice"), lifetime: TimeSpan.FromSeconds(90)).Value;
        Assert.Equal(Now + 90, grant.Expires);
    }

    [Fact]
    public void Expiry_never_passes_the_CI_tokens_own()
    {
        var grant = Issue(Site.Token("alice", c => c["exp"] = Now + 120)).Value;
        Assert.Equal(Now + 120, grant.Expires);
    }

    [Fact]
    public void Selected_claims_follow_issuing_claims_missing_ones_are_omitted_and_ci_issuer_is_the_CI_iss()
    {
        var site = IssuingWorld.Site(IssuingWorld.Section + "\n  claims: [ci_issuer, sha, runner_id, environment]");
        var grant = Issue(site.Token("alice"), site: site).Value;
        var claims = Payload(grant.Sign(IssuingWorld.Key));
        Assert.Equal(MemorySite.GitLab, claims.GetProperty("ci_issuer").GetString());
        Assert.Equal(JsonValueKind.Number, claims.GetProperty("runner_id").ValueKind);
        Assert.Equal(40, claims.GetProperty("sha").GetString()!.Length);
        Assert.False(claims.TryGetProperty("environment", out _));
        Assert.False(claims.TryGetProperty("project_path", out _));
    }

    public static TheoryData<string, string, string, string, string> Sizes => new()
    {
        // user, project_path, project_id, job_id; audience ssh://login.example.org, issuer https://hpc.example.org.
        { "fixture job", "alice", "hpc/solver", "4242", "1001" },
        { "production-sized ids", "alice", "hpc/solver", "123456", "9876543210" },
        { "nested project path", "alice", "hpc/cfd/solver", "123456", "9876543210" },
    };

    /// <summary>
    /// PAM hands a password-style answer of at most 511 bytes to the module, so a site token meant
    /// for ssh must stay under 512. Longer project paths can exceed it (token issue then warns).
    /// </summary>
    [Theory]
    [MemberData(nameof(Sizes))]
    public void Default_claim_ES256_token_fits_the_PAM_response_limit(string name, string user, string projectPath, string projectId, string jobId)
    {
        var site = IssuingWorld.Site();
        site.Accounts.Add(user, 4000);
        var grant = Issue(site.Token(user, c =>
        {
            c["project_path"] = projectPath;
            c["project_id"] = projectId;
            c["job_id"] = jobId;
        }), caller: 4000, site: site).Value;
        string jwt = grant.Sign(IssuingWorld.Key);
        Console.WriteLine($"site token size, {name}: {jwt.Length} bytes");
        Assert.True(jwt.Length < 512, $"{name}: default-claim ES256 site token is {jwt.Length} bytes");
    }

    [Fact]
    public void Signature_is_IEEE_P1363_and_the_login_node_accepts_the_token_as_sub()
    {
        var grant = Issue(Site.Token("alice")).Value;
        string jwt = grant.Sign(IssuingWorld.Key);
        Assert.Equal(64, Base64Url.DecodeFromChars(jwt.Split('.')[2]).Length);
        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[0])).RootElement;
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal(IssuingWorld.Key.KeyId, header.GetProperty("kid").GetString());

        var decision = IssuingWorld.LoginNode(Site.Clock, IssuingWorld.Key).Authorize(jwt);
        Assert.True(decision.Allowed, $"{decision.Reason}: {decision.Detail}");
        Assert.Equal("alice", decision.Account!.Name);
        Assert.Equal("site-tokens", decision.Rule);
    }

    [Fact]
    public void Login_node_refuses_the_token_for_another_audience_and_after_expiry()
    {
        var grant = Issue(Site.Token("alice"), audience: "https://data.example.org").Value;
        var wrongAudience = IssuingWorld.LoginNode(Site.Clock, IssuingWorld.Key).Authorize(grant.Sign(IssuingWorld.Key));
        Assert.Equal(Reasons.TokenAudience, wrongAudience.Reason);

        var ssh = Issue(Site.Token("alice")).Value;
        var later = new FixedClock(FixedClock.Epoch.AddMinutes(6));
        Assert.Equal(Reasons.TokenExpired, IssuingWorld.LoginNode(later, IssuingWorld.Key).Authorize(ssh!.Sign(IssuingWorld.Key)).Reason);
    }

    public static TheoryData<string, string, TimeSpan?, long?> WithinBounds => new()
    {
        // name, issuing.max_lifetime line, --lifetime, the CI token's exp (relative to now)
        { "default lifetime (5m, exactly issuing.max_lifetime)", "", null, null },
        { "shortest lifetime (1s)", "", TimeSpan.FromSeconds(1), null },
        { "capped by a CI token expiring in 100s", "", null, 100 },
        { "issuing.max_lifetime 1h, CI token of a 1h job", "\n  max_lifetime: 1h", null, null },
        { "issuing.max_lifetime 90s", "\n  max_lifetime: 90s", null, null },
    };

    /// <summary>
    /// Site tokens fit the bounds by construction: iat is the issuing instant and exp at most
    /// issuing.max_lifetime later, so a relying party whose entry for the site issuer defaults to
    /// that same max_lifetime accepts every one of them, at the limit included.
    /// </summary>
    [Theory]
    [MemberData(nameof(WithinBounds))]
    public void Site_tokens_stay_within_the_site_issuers_max_lifetime(string name, string issuingLine, TimeSpan? lifetime, long? ciExpiresIn)
    {
        var site = IssuingWorld.SelfAccepting(IssuingWorld.Section + issuingLine);
        var settings = site.Config.Issuing!;
        Assert.Equal(settings.MaxLifetime, site.Config.IssuerByName("site")!.MaxLifetime);

        string ci = site.Token("alice", ciExpiresIn is { } s ? c => c["exp"] = Now + s : null);
        var issued = Issue(ci, lifetime: lifetime, site: site);
        Assert.True(issued.Ok, $"{name}: {issued}");
        var grant = issued.Value;
        Assert.Equal(Now, grant.IssuedAt);
        Assert.InRange(grant.Expires - grant.IssuedAt, 1, (long)settings.MaxLifetime.TotalSeconds);

        var decision = site.Authorizer.Authorize(grant.Sign(IssuingWorld.Key));
        Assert.True(decision.Allowed, $"{name}: {decision.Reason}: {decision.Detail}");
        Assert.Equal("site", decision.Token!.Issuer.Name);
    }

    [Fact]
    public void A_site_signed_token_one_second_longer_than_issuing_max_lifetime_is_refused()
    {
        var site = IssuingWorld.SelfAccepting();
        var grant = Issue(site.Token("alice"), site: site).Value;
        var longer = grant with { Expires = grant.IssuedAt + 301 };
        var decision = site.Authorizer.Authorize(longer.Sign(IssuingWorld.Key));
        Assert.Equal(Reasons.TokenLifetimeTooLong, decision.Reason);
        Assert.Contains("issuers 'site' max_lifetime is 5m", decision.Detail);

        // The login node sets max_lifetime: 5m itself (it has no issuing: section to take it from).
        Assert.Equal(Reasons.TokenLifetimeTooLong, IssuingWorld.LoginNode(Site.Clock, IssuingWorld.Key).Authorize(longer.Sign(IssuingWorld.Key)).Reason);
    }

    private static JsonElement Payload(string jwt) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1])).RootElement.Clone();
}
