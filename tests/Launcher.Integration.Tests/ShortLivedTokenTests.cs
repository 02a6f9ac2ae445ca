using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests;

/// <summary>
/// Short-lived acceptance through the published binary: a validly signed token that lives too
/// long, is too old, lacks iat or carries a wrongly typed registered claim is refused with one
/// stderr line naming the reason and the setting, and leaves a deny record in the audit file;
/// explain shows both bounds. Tokens come from the test issuer with the real clock.
/// </summary>
public class ShortLivedTokenTests
{
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static TheoryData<string, string, Action<Dictionary<string, object?>>, string, string> Refusals => new()
    {
        // name, issuer setting, token edit, reason, a fragment of the message
        { "exp ten years away", "", c => c["exp"] = Now + 10L * 365 * 86400, "token.lifetime_too_long", "max_lifetime is 24h" },
        { "issued 1970, exp in an hour", "", c => { c["iat"] = 1L; c["nbf"] = 1L; }, "token.lifetime_too_long", "max_lifetime is 24h" },
        { "no iat", "", c => c.Remove("iat"), "token.missing_claim", "no 'iat'" },
        { "a number in the aud array", "", c => c["aud"] = new object[] { 1, ConfigSite.Audience }, "token.malformed", "claim 'aud' element #0 is a number" },
        { "sub an object", "", c => c["sub"] = new Dictionary<string, object?> { ["a"] = 1 }, "token.malformed", "claim 'sub' is an object" },
        { "jti a number", "", c => c["jti"] = 5, "token.malformed", "claim 'jti' is a number" },
        { "issued 20m ago, max_age 10m", "max_age: 10m", c => { c["iat"] = Now - 1200; c["nbf"] = Now - 1200; }, "token.too_old", "max_age is 10m" },
        { "max_lifetime 30m, a 1h token", "max_lifetime: 30m", _ => { }, "token.lifetime_too_long", "max_lifetime is 30m" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Validate_refuses_with_one_line_and_an_audit_record(string name, string setting, Action<Dictionary<string, object?>> edit, string reason, string fragment)
    {
        using var site = new ConfigSite(issuerSetting: setting);
        string token = site.Token("no-such-user-xyz", edit);
        var run = Proc.Run(Dist.CiLauncher, ["validate", "--config", site.ConfigPath, "--token-file", "-"], stdin: token);
        Assert.True(run.ExitCode == 1, $"{name}: exit {run.ExitCode}: {run.Stderr}");
        Assert.Equal("", run.Stdout);
        string line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"ci-launcher: {reason}: ", line);
        Assert.Contains(fragment, line);

        string sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
        var audit = File.ReadAllLines(site.AuditPath).Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Single(r => r.GetProperty("token_sha256").GetString() == sha);
        Assert.Equal("deny", audit.GetProperty("decision").GetString());
        Assert.Equal(reason, audit.GetProperty("reason").GetString());
        Assert.Contains(fragment, audit.GetProperty("detail").GetString());
        Assert.DoesNotContain(token.Split('.')[2], File.ReadAllText(site.AuditPath));
    }

    [Fact]
    public void Explain_shows_a_GitLab_1h_job_token_within_the_default_bounds_and_the_max_age()
    {
        using var defaults = new ConfigSite();
        // GitLab ID token of a job with a 1h timeout: exp - iat = 1h + 5m.
        var run = Proc.Run(Dist.CiLauncher, ["explain", "--config", defaults.ConfigPath, "--token-file", "-"],
            stdin: defaults.Token("no-such-user-xyz", c => c["exp"] = (long)c["iat"]! + 3900));
        Assert.Contains("  lifetime: exp - iat = 1h5m, within max_lifetime 24h", run.Stdout);
        Assert.Matches(@"(?m)^  age: issued [0-9]+s ago \(max_age not set\)$", run.Stdout);
        // The token passed; the account that does not exist is what refuses.
        Assert.Contains("decision: DENY (account.not_found)", run.Stdout);

        using var aged = new ConfigSite(issuerSetting: "max_age: 10m");
        var old = Proc.Run(Dist.CiLauncher, ["explain", "--config", aged.ConfigPath, "--token-file", "-"],
            stdin: aged.Token("no-such-user-xyz", c => { long now = (long)c["iat"]!; c["iat"] = now - 1200; c["nbf"] = now - 1200; c["exp"] = now + 2700; }));
        Assert.Equal(1, old.ExitCode);
        Assert.Contains("  lifetime: exp - iat = 1h5m, within max_lifetime 24h", old.Stdout);
        Assert.Contains("  refused: token.too_old: token was issued 20m", old.Stdout);
        Assert.Contains("decision: DENY (token.too_old)", old.Stdout);
    }
}
