using System.Text;
using Launcher.Pam.Tests.Support;

namespace Launcher.Pam.Tests;

/// <summary>
/// The module in a real PAM stack (libpam under pam_wrapper, users from nss_wrapper): no
/// /etc/pam.d file and no real account is touched. Each case asserts the PAM return value the
/// application sees, and that the host's signal dispositions are unchanged afterwards.
/// </summary>
public class PamWrapperTests(PamWrapperTests.Fixture site) : IClassFixture<PamWrapperTests.Fixture>
{
    public sealed class Fixture : IDisposable
    {
        public PamSite Site { get; } = new();
        public void Dispose() => Site.Dispose();
    }

    private PamSite S => site.Site;

    private PamAppResult Login(string user, string token, string service = PamSite.Service, params string[] options) =>
        PamAppResult.Run(S, user, S.File(token), service, options);

    [Fact]
    public void Valid_compact_token_for_the_login_user_succeeds_and_leaves_host_signals_alone()
    {
        var r = Login(PamSite.Alice, S.Compact(PamSite.Alice));
        Assert.Equal(PamCode.Success, r.Auth);
        Assert.Equal(PamCode.Success, r.Account);
        Assert.Equal(1, r.Prompts);
        Assert.Equal("unchanged", r.Signals);
        Assert.Contains("\"reason\":\"ok\"", File.ReadAllText(S.AuditPath));
    }

    [Fact]
    public void Valid_gitlab_rs256_token_succeeds()
    {
        Assert.Equal(PamCode.Success, Login(PamSite.Alice, S.GitLab(PamSite.Alice)).Auth);
    }

    public static TheoryData<string, string, int, string> Refusals => new()
    {
        { "token for another user", "other-user", PamCode.AuthErr, "pam.user_mismatch" },
        { "expired", "expired", PamCode.AuthErr, "token.expired" },
        { "bad signature", "forged", PamCode.AuthErr, "token.bad_signature" },
        { "unknown issuer", "unknown-issuer", PamCode.AuthErr, "token.issuer" },
        { "policy no match", "other-project", PamCode.AuthErr, "policy.no_match" },
        { "uid below min_uid", "low-uid", PamCode.AuthErr, "account.uid_below_min" },
        { "user in deny_users", "deny-users", PamCode.AuthErr, "account.denied_user" },
        { "user does not exist", "no-such-user", PamCode.UserUnknown, "account.not_found" },
        { "empty password", "empty", PamCode.AuthErr, "token.missing" },
        { "not a token", "password", PamCode.AuthErr, "token.malformed" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refused_login(string name, string kind, int expected, string reason)
    {
        _ = name;
        (string user, string token) = kind switch
        {
            "other-user" => (PamSite.Bob, S.Compact(PamSite.Alice)),
            "expired" => (PamSite.Alice, S.Compact(PamSite.Alice, lifetime: -3600)),
            "forged" => (PamSite.Alice, S.Compact(PamSite.Alice, key: S.Forged)),
            "unknown-issuer" => (PamSite.Alice, S.Compact(PamSite.Alice, issuer: "https://evil.example.org")),
            "other-project" => (PamSite.Alice, S.Compact(PamSite.Alice, project: "web/site")),
            "low-uid" => (PamSite.LowUid, S.Compact(PamSite.LowUid)),
            "deny-users" => (PamSite.Denied, S.Compact(PamSite.Denied)),
            "no-such-user" => ("clpamnobody", S.Compact("clpamnobody")),
            "empty" => (PamSite.Alice, ""),
            "password" => (PamSite.Alice, "correct horse battery staple"),
            _ => throw new ArgumentException(kind),
        };
        long before = new FileInfo(S.AuditPath).Exists ? new FileInfo(S.AuditPath).Length : 0;
        var r = Login(user, token);
        Assert.Equal(expected, r.Auth);
        Assert.Equal("unchanged", r.Signals);
        string audit = File.ReadAllText(S.AuditPath)[(int)before..];
        Assert.Contains($"\"reason\":\"{reason}\"", audit);
        // A human's password must not reach the audit log, not even as an unsalted hash.
        if (kind == "password") Assert.DoesNotContain("token_sha256", audit.Split('\n')[0]);
    }

    [Fact]
    public void Syslog_lines_carry_the_reason_code_and_never_the_token()
    {
        string good = S.Compact(PamSite.Alice);
        var ok = Login(PamSite.Alice, good);
        Assert.Contains($"auth: user={PamSite.Alice} rhost=192.0.2.7: ok", ok.Stderr);
        string expired = S.Compact(PamSite.Alice, lifetime: -3600);
        var bad = Login(PamSite.Alice, expired);
        Assert.Contains($"auth: user={PamSite.Alice} rhost=192.0.2.7: token.expired: ", bad.Stderr);
        foreach (string token in new[] { good, expired })
        {
            Assert.DoesNotContain(token, ok.Stderr + bad.Stderr);
            Assert.DoesNotContain(token.Split('.')[2], ok.Stderr + bad.Stderr);
        }
        Assert.DoesNotContain(good.Split('.')[2], File.ReadAllText(S.AuditPath));
    }

    [Fact]
    public void A_stack_with_its_own_config_and_max_age_refuses_a_token_issued_too_long_ago()
    {
        // Login tokens should be fresh; the executor's file (the default service here) cannot say
        // so, since it re-checks tokens of running jobs. The PAM stack names its own file instead.
        string fresh = S.Dir.Write("fresh.yaml", S.Config("hpc/**").Replace("algorithms: [ES256, RS256]", "algorithms: [ES256, RS256]\n    max_age: 10m"));
        S.WriteService("cltest-fresh", $"config={fresh}");
        string old = S.GitLab(PamSite.Alice, c => { long now = (long)c["iat"]!; c["iat"] = now - 1200; c["nbf"] = now - 1200; });

        long before = new FileInfo(S.AuditPath).Exists ? new FileInfo(S.AuditPath).Length : 0;
        var refused = Login(PamSite.Alice, old, "cltest-fresh");
        Assert.Equal(PamCode.AuthErr, refused.Auth);
        Assert.Contains($"auth: user={PamSite.Alice} rhost=192.0.2.7: token.too_old: ", refused.Stderr);
        Assert.Contains("\"reason\":\"token.too_old\"", File.ReadAllText(S.AuditPath)[(int)before..]);

        Assert.Equal(PamCode.Success, Login(PamSite.Alice, old).Auth);
        Assert.Equal(PamCode.Success, Login(PamSite.Alice, S.Compact(PamSite.Alice), "cltest-fresh").Auth);
    }

    [Fact]
    public void Account_management_applies_the_account_policy_to_the_pam_user()
    {
        // auth fails (token for alice), but account management judges clpamlow on its own: below min_uid.
        var r = Login(PamSite.LowUid, S.Compact(PamSite.Alice));
        Assert.Equal(PamCode.PermDenied, r.Account);
        Assert.Equal(PamCode.Success, Login(PamSite.Bob, S.Compact(PamSite.Alice)).Account);
    }

    [Fact]
    public void A_100_KiB_password_and_a_NUL_byte_are_clean_auth_errors()
    {
        var huge = Login(PamSite.Alice, new string('A', 100 * 1024), PamSite.Service);
        // The conversation of pam_app hands the whole 100 KiB over; the module refuses it by length.
        Assert.Equal(PamCode.AuthErr, huge.Auth);
        S.WriteService("cltest-first", $"config={S.ConfigPath} use_first_pass", earlierModule: true);
        var hugeItem = PamAppResult.Run(S, PamSite.Alice, S.File(new string('A', 100 * 1024)), "cltest-first", "--authtok");
        Assert.Equal(PamCode.AuthErr, hugeItem.Auth);
        Assert.Contains("token.too_large", File.ReadAllText(S.AuditPath));

        // PAM passwords are C strings: the NUL ends the password, and what is left is no token.
        string token = S.Compact(PamSite.Alice);
        byte[] withNul = [.. Encoding.ASCII.GetBytes(token[..20]), 0, .. Encoding.ASCII.GetBytes(token[20..])];
        var nul = PamAppResult.Run(S, PamSite.Alice, S.FileBytes(withNul));
        Assert.Equal(PamCode.AuthErr, nul.Auth);
        Assert.Equal("unchanged", nul.Signals);
    }

    [Fact]
    public void An_8_KiB_token_from_an_earlier_module_is_accepted_with_use_first_pass()
    {
        string token = S.GitLab(PamSite.Alice, c => c["padding"] = new string('p', 4900));
        Assert.InRange(token.Length, 7800, 8192);
        S.WriteService("cltest-first", $"config={S.ConfigPath} use_first_pass", earlierModule: true);
        var r = PamAppResult.Run(S, PamSite.Alice, S.File(token), "cltest-first", "--authtok");
        Assert.Equal(PamCode.Success, r.Auth);
        Assert.Equal(0, r.Prompts);

        // use_first_pass without an earlier password: no prompt, a clean failure.
        var none = PamAppResult.Run(S, PamSite.Alice, S.File(token), "cltest-first");
        Assert.Equal(PamCode.AuthErr, none.Auth);
        Assert.Equal(0, none.Prompts);
    }

    [Fact]
    public void Try_first_pass_prompts_for_the_token_when_the_earlier_password_is_not_one()
    {
        S.WriteService("cltest-try", $"config={S.ConfigPath} try_first_pass", earlierModule: true);
        // pam_app hands the same file to PAM_AUTHTOK and to the prompt, so: a token passes on the first try without a prompt.
        var r = PamAppResult.Run(S, PamSite.Alice, S.File(S.Compact(PamSite.Alice)), "cltest-try", "--authtok");
        Assert.Equal(PamCode.Success, r.Auth);
        Assert.Equal(0, r.Prompts);
        var bad = PamAppResult.Run(S, PamSite.Alice, S.File("hunter2"), "cltest-try", "--authtok");
        Assert.Equal(PamCode.AuthErr, bad.Auth);
        Assert.Equal(1, bad.Prompts);
    }

    [Theory]
    [InlineData("missing config=", "")]
    [InlineData("relative config=", "config=config.yaml")]
    [InlineData("config does not exist", "config=/nonexistent/ci-launcher/config.yaml")]
    [InlineData("misspelt argument", "conifg=/etc/ci-launcher/config.yaml")]
    [InlineData("missing library", "config=CONFIG library=/nonexistent/libci-launcher-pam.so")]
    [InlineData("library is not the library", "config=CONFIG library=/usr/lib/x86_64-linux-gnu/libpam.so.0")]
    public void Configuration_trouble_is_authinfo_unavail(string name, string args)
    {
        string service = "cltest-bad-" + Math.Abs(name.GetHashCode());
        S.WriteService(service, args.Replace("CONFIG", S.ConfigPath));
        var r = Login(PamSite.Alice, S.Compact(PamSite.Alice), service);
        Assert.Equal(PamCode.AuthInfoUnavail, r.Auth);
        Assert.Equal(PamCode.AuthInfoUnavail, r.Account);
    }

    [Fact]
    public void Unreadable_or_invalid_config_and_missing_key_set_are_authinfo_unavail()
    {
        string bad = S.Dir.Write("broken.yaml", "issuers: [\n");
        S.WriteService("cltest-broken", $"config={bad}");
        Assert.Equal(PamCode.AuthInfoUnavail, Login(PamSite.Alice, S.Compact(PamSite.Alice), "cltest-broken").Auth);

        string noKeys = S.Dir.Write("nokeys.yaml", S.Config("hpc/**").Replace("gitlab.jwks.json", "missing.jwks.json"));
        S.WriteService("cltest-nokeys", $"config={noKeys}");
        Assert.Equal(PamCode.AuthInfoUnavail, Login(PamSite.Alice, S.Compact(PamSite.Alice), "cltest-nokeys").Auth);
    }

    [Fact]
    public void Pamtester_under_pam_wrapper()
    {
        var ok = Proc.Run("pamtester", [PamSite.Service, PamSite.Alice, "authenticate", "acct_mgmt"], S.WrapperEnv(), stdin: S.Compact(PamSite.Alice) + "\n");
        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
        Assert.Contains("successfully authenticated", ok.Stdout + ok.Stderr);

        var bad = Proc.Run("pamtester", [PamSite.Service, PamSite.Bob, "authenticate"], S.WrapperEnv(), stdin: S.Compact(PamSite.Alice) + "\n");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("Authentication failure", bad.Stdout + bad.Stderr);
    }
}
