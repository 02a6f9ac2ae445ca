using System.Text.Json;
using Launcher.Core.Audit;
using Launcher.Core.Authorization;
using Launcher.Core.Tests.Support;

namespace Launcher.Core.Tests.Audit;

/// <summary>The audit line: every field the issue lists, one line, escaped, never the token.</summary>
public class AuditRecordTests
{
    private static readonly MemorySite Site = new();
    private static readonly DateTimeOffset Now = FixedClock.Epoch;

    private static JsonElement Parse(string json)
    {
        Assert.DoesNotContain('\n', json);
        Assert.DoesNotContain('\r', json);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    [Fact]
    public void Allowed_decision_carries_every_field()
    {
        string token = Site.Token("alice");
        var decision = Site.Authorizer.Authorize(token);
        Assert.True(decision.Allowed, decision.Detail);
        var line = Parse(AuditRecord.From(decision, "validate", 4321, Now).ToJson());

        Assert.Equal("2026-11-01T12:00:00.000Z", line.GetProperty("time").GetString());
        Assert.Equal("validate", line.GetProperty("command").GetString());
        Assert.Equal("allow", line.GetProperty("decision").GetString());
        Assert.Equal("ok", line.GetProperty("reason").GetString());
        Assert.Equal(4321u, line.GetProperty("caller_uid").GetUInt32());
        Assert.Equal("gitlab", line.GetProperty("issuer").GetString());
        Assert.Equal("project_path:hpc/solver:ref_type:branch:ref:main", line.GetProperty("sub").GetString());
        Assert.Equal(decision.Token!.Claims.GetProperty("jti").GetString(), line.GetProperty("jti").GetString());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token))), line.GetProperty("token_sha256").GetString());
        Assert.Equal("hpc/solver", line.GetProperty("project_path").GetString());
        Assert.Equal("4242", line.GetProperty("project_id").GetString());
        Assert.Equal("1001", line.GetProperty("job_id").GetString());
        Assert.Equal("push", line.GetProperty("pipeline_source").GetString());
        Assert.Equal("main", line.GetProperty("ref").GetString());
        Assert.Equal("alice", line.GetProperty("user").GetString());
        Assert.Equal(1001u, line.GetProperty("uid").GetUInt32());
        Assert.Equal("hpc-projects", line.GetProperty("rule").GetString());
    }

    [Fact]
    public void Denied_decision_names_the_reason_and_no_uid()
    {
        var decision = Site.Authorizer.Authorize(Site.Token("alice", c => c["project_path"] = "elsewhere/x"));
        var line = Parse(AuditRecord.From(decision, "run", 0, Now).ToJson());
        Assert.Equal("deny", line.GetProperty("decision").GetString());
        Assert.Equal(Reasons.PolicyNoMatch, line.GetProperty("reason").GetString());
        Assert.False(line.TryGetProperty("uid", out _));
        Assert.False(line.TryGetProperty("rule", out _));
        Assert.Equal("elsewhere/x", line.GetProperty("project_path").GetString());
    }

    [Theory]
    [InlineData("valid token, allowed")]
    [InlineData("bad signature")]
    [InlineData("expired")]
    [InlineData("not a JWT")]
    public void Never_contains_the_token(string name)
    {
        string token = name switch
        {
            "bad signature" => Site.Token("alice", key: MemorySite.Stranger),
            "expired" => Site.Token("alice", c => c["exp"] = Now.ToUnixTimeSeconds() - 3600),
            "not a JWT" => "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl",
            _ => Site.Token("alice"),
        };
        string json = AuditRecord.From(Site.Authorizer.Authorize(token), "validate", 0, Now).ToJson();
        foreach (var part in token.Split('.').Where(p => p.Length >= 8))
            Assert.DoesNotContain(part, json);
    }

    [Fact]
    public void Control_characters_in_claims_are_escaped()
    {
        var decision = Site.Authorizer.Authorize(Site.Token("alice", c =>
        {
            c["project_path"] = "hpc/x\nFAKE {\"decision\":\"allow\"}\u001b[31m";
            c["ref"] = "main\r\u0000\u2028";
        }));
        string json = AuditRecord.From(decision, "validate", 0, Now).ToJson();
        Assert.DoesNotContain('\n', json);
        Assert.DoesNotContain('\r', json);
        Assert.DoesNotContain('\u001b', json);
        Assert.DoesNotContain('\u0000', json);
        Assert.Contains("\\n", json);
        Assert.Contains("\\u001B", json, StringComparison.OrdinalIgnoreCase);
        var line = Parse(json);
        Assert.Equal("hpc/x\nFAKE {\"decision\":\"allow\"}\u001b[31m", line.GetProperty("project_path").GetString());
        // A value with a control character matches no glob, so this token was refused.
        Assert.Equal("deny", line.GetProperty("decision").GetString());
    }

    [Fact]
    public void Trail_reports_a_failing_sink_and_still_writes_the_others()
    {
        var good = new MemorySink();
        var trail = new AuditTrail([new FailingSink(), good]);
        var record = AuditRecord.From(Site.Authorizer.Authorize(Site.Token("alice")), "run", 0, Now);
        var failed = trail.Write(record);
        Assert.Equal(Reasons.AuditUnavailable, failed?.Reason);
        Assert.Contains("disk full (fixture)", failed!.Detail);
        Assert.Single(good.Records);
        Assert.Null(new AuditTrail([good]).Write(record));
    }

    [Fact]
    public void An_allow_that_cannot_be_recorded_becomes_audit_unavailable()
    {
        var syslogLike = new MemorySink();
        var trail = new AuditTrail([syslogLike, new FailingSink()]);
        var allowed = Site.Authorizer.Authorize(Site.Token("alice"));
        Assert.True(allowed.Allowed);

        var result = trail.RecordOrRefuse(allowed, d => AuditRecord.From(d, "run", 0, Now));

        Assert.False(result.Allowed);
        Assert.Equal(RefusalKind.SiteError, result.Refusal!.Kind);
        Assert.Equal(Reasons.AuditUnavailable, result.Reason);
        Assert.Contains("disk full (fixture)", result.Detail);
        // The sink that worked shows the allow line and then the refusal that replaced it.
        Assert.Equal(["allow", "error"], syslogLike.Records.Select(r => r.Decision));
        Assert.Equal(Reasons.AuditUnavailable, syslogLike.Records[1].Reason);
    }

    [Fact]
    public void A_recorded_decision_and_an_unrecorded_denial_pass_unchanged()
    {
        var allowed = Site.Authorizer.Authorize(Site.Token("alice"));
        Assert.Same(allowed, new AuditTrail([new MemorySink()]).RecordOrRefuse(allowed, d => AuditRecord.From(d, "run", 0, Now)));
        var denied = Site.Authorizer.Authorize(Site.Token("root"));
        Assert.Same(denied, new AuditTrail([new FailingSink()]).RecordOrRefuse(denied, d => AuditRecord.From(d, "run", 0, Now)));
    }

    private sealed class FailingSink : IAuditSink
    {
        public void Write(AuditRecord record) => throw new IOException("disk full (fixture)");
    }

    private sealed class MemorySink : IAuditSink
    {
        public List<AuditRecord> Records { get; } = [];
        public void Write(AuditRecord record) => Records.Add(record);
    }
}
