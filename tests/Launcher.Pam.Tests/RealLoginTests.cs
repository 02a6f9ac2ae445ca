using Launcher.Pam.Tests.Support;

namespace Launcher.Pam.Tests;

/// <summary>
/// As root, with nothing wrapped: real accounts (useradd), a real /etc/pam.d service, pamtester,
/// and an OpenSSH server logged into with sshpass + ssh. Users, the service file and sshd are
/// removed even when a test fails.
/// </summary>
[Collection("real-logins")]
public class RealLoginTests
{
    /// <summary>The real accounts these tests make have uids from 20000 up.</summary>
    private static readonly string[] HighUid = ["-K", "UID_MIN=20000"];

    [RootFact]
    public void Pamtester_against_a_real_pam_d_service()
    {
        using var site = new PamSite();
        using var accounts = new Accounts("clpam");
        string user = accounts.User(options: HighUid), other = accounts.User(options: HighUid);
        using var service = new PamService(site.ConfigPath);

        var ok = Proc.Run("pamtester", [service.Name, user, "authenticate", "acct_mgmt"], stdin: site.Compact(user) + "\n");
        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
        Assert.Contains("successfully authenticated", ok.Stdout + ok.Stderr);

        var mismatch = Proc.Run("pamtester", [service.Name, other, "authenticate"], stdin: site.Compact(user) + "\n");
        Assert.Contains("Authentication failure", mismatch.Stdout + mismatch.Stderr);
        Assert.Contains("pam.user_mismatch", File.ReadAllText(site.AuditPath));
    }

    [RootFact]
    public void Ssh_login_with_a_compact_token_as_the_password()
    {
        using var site = new PamSite();
        using var accounts = new Accounts("clpam");
        string user = accounts.User(options: HighUid), other = accounts.User(options: HighUid), denied = accounts.User(options: HighUid);
        string config = site.Dir.Write("ssh.yaml", site.Config("hpc/**", denyUsers: denied));
        using var service = new PamService(config);
        using var sshd = new Sshd(service.Name);
        string Diagnostics() => string.Join("\n", sshd.Log.TakeLast(30));

        string token = site.Compact(user);
        Assert.InRange(token.Length, 200, 1000);
        foreach (string method in new[] { "keyboard-interactive", "password" })
        {
            var ok = sshd.Login(user, token, method);
            Assert.True(ok.ExitCode == 0, $"{method}: exit {ok.ExitCode}: {ok.Stderr}\n{Diagnostics()}");
            Assert.Equal(user, ok.Stdout.Trim());
        }

        var refusals = new (string Name, string User, string Token)[]
        {
            ("token for another user", other, token),
            ("expired", user, site.Compact(user, lifetime: -3600)),
            ("bad signature", user, site.Compact(user, key: site.Forged)),
            ("unknown issuer", user, site.Compact(user, issuer: "https://evil.example.org")),
            ("denied account", denied, site.Compact(denied)),
        };
        foreach (var (name, login, bad) in refusals)
        {
            var r = sshd.Login(login, bad, "keyboard-interactive");
            Assert.True(r.ExitCode != 0, $"{name}: ssh logged in");
            Assert.DoesNotContain(login, r.Stdout);
        }
        string audit = File.ReadAllText(site.AuditPath);
        foreach (string reason in new[] { "pam.user_mismatch", "token.expired", "token.bad_signature", "token.issuer", "account.denied_user" })
            Assert.Contains($"\"reason\":\"{reason}\"", audit);
    }

    [RootFact]
    public void A_gitlab_size_rs256_token_does_not_fit_through_ssh()
    {
        // ssh reads a password into a 1 KiB buffer; a GitLab ID token is about 1.5 KiB. The module
        // would accept it (see PamWrapperTests), but it never arrives whole: compact site tokens are the ssh path.
        using var site = new PamSite();
        using var accounts = new Accounts("clpam");
        string user = accounts.User(options: HighUid);
        using var service = new PamService(site.ConfigPath);
        using var sshd = new Sshd(service.Name);
        string token = site.GitLab(user);
        Assert.True(token.Length > 1024, $"token is {token.Length} bytes");
        var r = sshd.Login(user, token, "keyboard-interactive");
        Assert.NotEqual(0, r.ExitCode);
        Assert.DoesNotContain("\"decision\":\"allow\"", File.Exists(site.AuditPath) ? File.ReadAllText(site.AuditPath) : "");
    }
}
