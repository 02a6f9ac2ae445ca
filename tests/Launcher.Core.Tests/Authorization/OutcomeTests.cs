using Launcher.Core.Authorization;

namespace Launcher.Core.Tests.Authorization;

/// <summary>The one result shape: a value, or a refusal with its reason code, detail and kind.</summary>
public class OutcomeTests
{
    [Fact]
    public void A_default_outcome_is_a_refusal_never_a_value()
    {
        Outcome<string> unset = default;
        Assert.False(unset.Ok);
        Assert.Equal(Reasons.InternalError, unset.Refusal.Reason);
        Assert.True(unset.Refusal.IsSiteError);
        Assert.Throws<InvalidOperationException>(() => unset.Value);
    }

    [Fact]
    public void A_value_has_no_refusal_and_a_refusal_no_value()
    {
        var value = Outcome.Of("alice");
        Assert.True(value.Ok);
        Assert.Equal("alice", value.Value);
        Assert.Throws<InvalidOperationException>(() => value.Refusal);

        Outcome<string> refused = Refusal.Denied(Reasons.PolicyNoMatch, "no rule matches");
        Assert.False(refused.Ok);
        Assert.Equal(Reasons.PolicyNoMatch, refused.Refusal.Reason);
        Assert.Throws<InvalidOperationException>(() => refused.Value);
    }

    public static TheoryData<string, Refusal, string, RefusalKind, string> Refusals => new()
    {
        { "denied", Refusal.Denied(Reasons.TokenExpired, "token expired"), Reasons.TokenExpired, RefusalKind.Denied, "token.expired: token expired" },
        { "site error", Refusal.SiteError(Reasons.JwksUnavailable, "no jwks_file"), Reasons.JwksUnavailable, RefusalKind.SiteError, "jwks.unavailable: no jwks_file" },
        { "unlabelled shows as a bug", Refusal.Unlabelled("cannot open /x"), Reasons.InternalError, RefusalKind.SiteError, "internal.error: cannot open /x" },
        { "labelled as the job's problem", Refusal.Unlabelled("is empty").AsDenied(Reasons.PolicyRunAsInvalid), Reasons.PolicyRunAsInvalid, RefusalKind.Denied, "policy.run_as_invalid: is empty" },
        { "labelled as the site's problem", Refusal.Denied(Reasons.TokenMalformed, "x").AsSiteError(Reasons.LaunchDirectory), Reasons.LaunchDirectory, RefusalKind.SiteError, "launch.directory: x" },
        { "placed", Refusal.Unlabelled("'/x' is a link").AsSiteError(Reasons.LaunchDirectory).In("launch.create_dirs"), Reasons.LaunchDirectory, RefusalKind.SiteError, "launch.directory: launch.create_dirs: '/x' is a link" },
        { "no detail", Refusal.Denied(Reasons.Ok, ""), Reasons.Ok, RefusalKind.Denied, "ok" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_refusal_carries_reason_detail_and_whose_problem_it_is(string name, Refusal refusal, string reason, RefusalKind kind, string text)
    {
        Assert.True(reason == refusal.Reason, name);
        Assert.Equal(kind, refusal.Kind);
        Assert.Equal(kind == RefusalKind.SiteError, refusal.IsSiteError);
        Assert.Equal(text, refusal.ToString());
    }

    [Fact]
    public void A_decision_is_allowed_only_when_made_so()
    {
        var allowed = Decision.Allow("rule 'r' allows, run as 'alice'");
        Assert.True(allowed.Allowed);
        Assert.Equal(Reasons.Ok, allowed.Reason);
        Assert.Null(allowed.Refusal);

        var refused = allowed.Deny(Refusal.SiteError(Reasons.AuditUnavailable, "disk full"));
        Assert.False(refused.Allowed);
        Assert.Equal(Reasons.AuditUnavailable, refused.Reason);
        Assert.Equal("disk full", refused.Detail);
        Assert.Equal(RefusalKind.SiteError, refused.Refusal!.Kind);
    }
}
