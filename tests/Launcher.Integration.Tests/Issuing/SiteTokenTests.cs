using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Issuing;

/// <summary>
/// token issue, keys and jwks export through the published AOT binary, run set-id as real users:
/// the site token must validate as an ordinary issuer's token, and every refusal must be visible.
/// </summary>
[Collection(InstalledSite.Collection)]
public class SiteTokenTests(IssuingAccounts users, InstalledSite installed) : IClassFixture<IssuingAccounts>
{
    [RootFact]
    public void Issued_token_validates_as_the_job_user_and_issuance_is_audited()
    {
        using var site = new IssuingSite(installed);
        string kid = site.Generate();
        site.Activate(kid);
        site.Export();

        var issued = site.Issue(users.A.Name, site.CiToken(users.A.Name), "--audience", IssuingSite.Ssh);
        Assert.True(issued.ExitCode == 0, issued.Stderr);
        string jwt = issued.Stdout.Trim();
        Assert.True(jwt.Length < 512, $"site token is {jwt.Length} bytes");
        Assert.Equal(kid, IssuingSite.Header(jwt).GetProperty("kid").GetString());
        var claims = IssuingSite.Payload(jwt);
        Assert.Equal(IssuingSite.SiteIssuer, claims.GetProperty("iss").GetString());
        Assert.Equal(users.A.Name, claims.GetProperty("sub").GetString());
        Assert.Equal(IssuingSite.Ssh, claims.GetProperty("aud").GetString());
        Assert.Equal(300, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());

        var validated = site.Validate(jwt);
        Assert.True(validated.ExitCode == 0, validated.Stdout + validated.Stderr);
        Assert.Contains($"\"user\": \"{users.A.Name}\"", validated.Stdout);
        Assert.Contains("\"rule\": \"site-tokens\"", validated.Stdout);

        string audit = File.ReadAllText(site.AuditLog);
        var line = audit.Split('\n').Single(l => l.Contains("\"command\":\"token issue\""));
        Assert.Contains($"\"caller_uid\":{users.A.Uid}", line);
        Assert.Contains($"\"site_jti\":\"{claims.GetProperty("jti").GetString()}\"", line);
        Assert.Contains($"\"site_kid\":\"{kid}\"", line);
        Assert.DoesNotContain(jwt, audit);
    }

    [RootFact]
    public void Token_from_the_job_environment_works_like_stdin()
    {
        using var site = new IssuingSite(installed);
        site.Activate(site.Generate("RS256"));
        var r = site.AsUser(users.A.Name, ["token", "issue", "--audience", IssuingSite.Ssh],
            env: new Dictionary<string, string> { ["CI_LAUNCHER_ID_TOKEN"] = site.CiToken(users.A.Name) });
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("RS256", IssuingSite.Header(r.Stdout.Trim()).GetProperty("alg").GetString());
    }

    [RootFact]
    public void Refusals_name_the_reason_and_issue_nothing()
    {
        using var site = new IssuingSite(installed);
        site.Activate(site.Generate());
        string tokenA = site.CiToken(users.A.Name);

        var audience = site.Issue(users.A.Name, tokenA, "--audience", "ssh://elsewhere.example.org");
        AssertRefused(audience, 1, "issuing.audience");

        var tooLong = site.Issue(users.A.Name, tokenA, "--audience", IssuingSite.Ssh, "--lifetime", "10m");
        AssertRefused(tooLong, 1, "issuing.lifetime");
        var badSyntax = site.Issue(users.A.Name, tokenA, "--audience", IssuingSite.Ssh, "--lifetime", "5 minutes");
        AssertRefused(badSyntax, 2, "--lifetime '5 minutes' is not a duration");
        var shorter = site.Issue(users.A.Name, tokenA, "--audience", IssuingSite.Ssh, "--lifetime", "30s");
        Assert.True(shorter.ExitCode == 0, shorter.Stderr);
        var claims = IssuingSite.Payload(shorter.Stdout.Trim());
        Assert.Equal(30, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());

        // Capped by the CI token's own expiry, 100 s away.
        var nearEnd = site.Issue(users.A.Name, site.CiToken(users.A.Name, c => c["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 100), "--audience", IssuingSite.Ssh);
        Assert.True(nearEnd.ExitCode == 0, nearEnd.Stderr);
        var capped = IssuingSite.Payload(nearEnd.Stdout.Trim());
        Assert.InRange(capped.GetProperty("exp").GetInt64() - capped.GetProperty("iat").GetInt64(), 95, 100);

        var expired = site.Issue(users.A.Name, site.CiToken(users.A.Name, c => c["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600), "--audience", IssuingSite.Ssh);
        AssertRefused(expired, 1, "token.expired");

        // B presents A's token: the account is A's, the caller is B.
        var otherUser = site.Issue(users.B.Name, tokenA, "--audience", IssuingSite.Ssh);
        AssertRefused(otherUser, 1, "issuing.caller_uid");
        Assert.Contains($"caller is uid {users.B.Uid}", otherUser.Stderr);

        // Root itself is never a job account.
        var root = site.RootWithInput(tokenA, "token", "issue", "--audience", IssuingSite.Ssh, "--token-file", "-");
        AssertRefused(root, 1, "issuing.caller_uid");
        Assert.Contains("caller is uid 0", root.Stderr);

        // Set-id, the caller may neither choose the config nor name a file root would open, nor administer keys.
        AssertRefused(site.AsUser(users.A.Name, ["token", "issue", "--audience", IssuingSite.Ssh, "--config", $"{site.Dir.Path}/config.yaml"], stdin: tokenA), 2, "config.caller_chosen");
        AssertRefused(site.AsUser(users.A.Name, ["token", "issue", "--audience", IssuingSite.Ssh, "--token-file", "/etc/shadow"]), 2, "--token-file must be '-'");
        AssertRefused(site.AsUser(users.A.Name, ["keys", "generate"]), 2, "must be run by root");
        AssertRefused(site.AsUser(users.A.Name, ["jwks", "export", "--output", $"{site.EtcDir}/x"]), 2, "must be run by root");

        string audit = File.ReadAllText(site.AuditLog);
        Assert.Contains("\"reason\":\"issuing.caller_uid\"", audit);
        Assert.Contains("\"reason\":\"issuing.audience\"", audit);
    }

    [RootFact]
    public void Private_key_missing_or_readable_by_others_is_refused_naming_file_and_mode()
    {
        using var site = new IssuingSite(installed);
        string kid = site.Generate();
        site.Activate(kid);
        string keyFile = Path.Combine(site.KeyDir, kid + ".pem");
        string shown = keyFile;
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(keyFile));
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(site.KeyDir));

        File.SetUnixFileMode(keyFile, (UnixFileMode)0b110_100_100);
        var readable = site.Issue(users.A.Name, site.CiToken(users.A.Name), "--audience", IssuingSite.Ssh);
        AssertRefused(readable, 2, "issuing.key_unavailable");
        Assert.Contains($"private key {shown} has mode 0644", readable.Stderr);

        File.SetUnixFileMode(keyFile, (UnixFileMode)0b110_000_000);
        File.SetUnixFileMode(site.KeyDir, (UnixFileMode)0b111_101_101);
        var openDir = site.Issue(users.A.Name, site.CiToken(users.A.Name), "--audience", IssuingSite.Ssh);
        AssertRefused(openDir, 2, "has mode 0755");

        File.SetUnixFileMode(site.KeyDir, (UnixFileMode)0b111_000_000);
        File.Delete(keyFile);
        var missing = site.Issue(users.A.Name, site.CiToken(users.A.Name), "--audience", IssuingSite.Ssh);
        AssertRefused(missing, 2, $"private key {shown}");
        Assert.Contains("No such file", missing.Stderr);
    }

    [RootFact]
    public void Rotation_publishes_before_signing_and_unpublishes_after_expiry()
    {
        using var site = new IssuingSite(installed, maxLifetime: "3s", clockSkew: "0s");
        string k1 = site.Generate();
        site.Activate(k1);
        site.Export();
        var t1 = site.Issue(users.A.Name, site.CiToken(users.A.Name), "--audience", IssuingSite.Ssh).Stdout.Trim();
        Assert.Equal(k1, IssuingSite.Header(t1).GetProperty("kid").GetString());

        // Generated and exported, not yet signing: old tokens verify, new ones still carry k1.
        string k2 = site.Generate();
        site.Export();
        Assert.Equal(0, site.Validate(t1).ExitCode);
        Assert.Equal(k1, IssuingSite.Header(site.Issue(users.A.Name, site.CiToken(users.A.Name), "--audience", IssuingSite.Ssh).Stdout.Trim()).GetProperty("kid").GetString());

        site.Activate(k2);
        var t2 = site.Issue(users.A.Name, site.CiToken(users.A.Name), "--audience", IssuingSite.Ssh).Stdout.Trim();
        Assert.Equal(k2, IssuingSite.Header(t2).GetProperty("kid").GetString());
        var old = site.Validate(t1);
        Assert.True(old.ExitCode == 0, "a draining key's token must still verify: " + old.Stdout + old.Stderr);

        var early = site.Root("keys", "retire", k1);
        AssertRefused(early, 2, "issuing.rotation");
        Assert.Contains(k1 + ".pem", string.Join(",", Directory.GetFiles(site.KeyDir)));

        Thread.Sleep(TimeSpan.FromSeconds(4));
        Assert.Equal(0, site.Root("keys", "retire", k1).ExitCode);
        Assert.False(File.Exists(Path.Combine(site.KeyDir, k1 + ".pem")));
        site.Export();
        var retired = site.Validate(t1);
        Assert.Equal(1, retired.ExitCode);
        Assert.Contains("token.unknown_kid", retired.Stdout);
        var list = site.Root("keys", "list");
        Assert.DoesNotContain(k1, list.Stdout);
        Assert.Contains($"{k2}  ES256  signing", list.Stdout);

        // A stolen key leaves at once, whatever it signed; the signing key never does.
        AssertRefused(site.Root("keys", "retire", "--compromised", k2), 2, "is the signing key");
        var t2b = site.Issue(users.A.Name, site.CiToken(users.A.Name), "--audience", IssuingSite.Ssh).Stdout.Trim();
        string k3 = site.Generate();
        site.Activate(k3);
        Assert.Equal(0, site.Root("keys", "retire", "--compromised", k2).ExitCode);
        site.Export();
        var stolen = site.Validate(t2b);
        Assert.Equal(1, stolen.ExitCode);
        Assert.Contains("token.unknown_kid", stolen.Stdout);
        var t3 = site.Issue(users.A.Name, site.CiToken(users.A.Name), "--audience", IssuingSite.Ssh).Stdout.Trim();
        Assert.Equal(k3, IssuingSite.Header(t3).GetProperty("kid").GetString());
        Assert.Equal(0, site.Validate(t3).ExitCode);
    }

    [RootFact]
    public void Contract_codes_for_an_unknown_kid_a_lost_key_ring_and_a_bad_lifetime()
    {
        using var site = new IssuingSite(installed);
        string kid = site.Generate();

        // A kid that is not in the ring is a rotation mistake, not an unavailable key.
        var unknown = site.Root("keys", "activate", "0000unknown0000");
        AssertRefused(unknown, 2, "issuing.rotation: key '0000unknown0000' is not in the key ring");
        // A key id may begin with '-' (base64url): it is still the key id, not an option.
        string dashed = "-" + new string('A', 42);
        AssertRefused(site.Root("keys", "activate", dashed), 2, $"issuing.rotation: key '{dashed}' is not in the key ring");
        AssertRefused(site.Root("keys", "retire", "--", dashed), 2, $"issuing.rotation: key '{dashed}' is not in the key ring");

        // The ring lost while key files remain: restore it; 'keys generate' would orphan the keys.
        site.Activate(kid);
        File.Delete(Path.Combine(site.KeyDir, "keyring.json"));
        var lost = site.Issue(users.A.Name, site.CiToken(users.A.Name), "--audience", IssuingSite.Ssh);
        AssertRefused(lost, 2, "issuing.key_unavailable: ");
        Assert.Contains($"restore keyring.json from a backup", lost.Stderr);
        Assert.Contains(kid + ".pem", lost.Stderr);
        AssertRefused(site.Root("keys", "generate"), 2, "issuing.key_unavailable: ");
        Assert.Equal([kid + ".pem"], Directory.GetFiles(site.KeyDir, "*.pem").Select(Path.GetFileName));

        // An unusable --lifetime names the documented code.
        var bad = site.Issue(users.A.Name, site.CiToken(users.A.Name), "--audience", IssuingSite.Ssh, "--lifetime", "soon");
        AssertRefused(bad, 2, "issuing.lifetime: --lifetime 'soon' is not a duration");
    }

    private static void AssertRefused(ProcResult r, int exitCode, string text)
    {
        Assert.True(exitCode == r.ExitCode, $"expected exit {exitCode}, got {r.ExitCode}: {r.Stderr}");
        Assert.Equal("", r.Stdout);
        Assert.Contains(text, r.Stderr + r.Stdout);
    }
}
