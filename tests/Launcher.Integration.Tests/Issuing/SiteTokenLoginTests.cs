using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Issuing;

/// <summary>
/// A site token is what a job presents to a login node: the PAM module (pamtester against a real
/// /etc/pam.d service) and a loopback sshd accept it as the password of its sub, and nothing else.
/// </summary>
[Collection(InstalledSite.Collection)]
public class SiteTokenLoginTests(IssuingAccounts users, InstalledSite installed) : IClassFixture<IssuingAccounts>
{
    [RootFact]
    public void Pam_module_and_ssh_accept_a_site_token_for_its_sub_only()
    {
        using var site = new IssuingSite(installed);
        site.Activate(site.Generate());
        site.Export();
        string login = site.LoginNodeConfig();
        string module = Dist.Require(Path.Combine(Dist.Dir, "pam_ci_launcher.so"));
        string service = "cliss-" + Guid.NewGuid().ToString("N")[..8];
        string pamFile = Path.Combine("/etc/pam.d", service);
        File.WriteAllText(pamFile, $"""
            # written by the ci-launcher issuing tests; removed when the test ends
            auth     required {module} config={login}
            account  required {module} config={login}
            session  required pam_permit.so
            password required pam_deny.so

            """);
        try
        {
            var issued = site.Issue(users.A.Name, site.CiToken(users.A.Name), "--audience", IssuingSite.Ssh);
            Assert.True(issued.ExitCode == 0, issued.Stderr);
            string token = issued.Stdout.Trim();
            string forData = site.Issue(users.A.Name, site.CiToken(users.A.Name), "--audience", "https://data.example.org").Stdout.Trim();

            var pam = Proc.Run("pamtester", [service, users.A.Name, "authenticate", "acct_mgmt"], stdin: token + "\n");
            Assert.True(pam.ExitCode == 0, pam.Stdout + pam.Stderr);
            Assert.Contains("successfully authenticated", pam.Stdout + pam.Stderr);
            var other = Proc.Run("pamtester", [service, users.B.Name, "authenticate"], stdin: token + "\n");
            Assert.Contains("Authentication failure", other.Stdout + other.Stderr);

            using var sshd = new Sshd(service);
            var ok = sshd.Login(users.A.Name, token, "keyboard-interactive");
            Assert.True(ok.ExitCode == 0, $"ssh: exit {ok.ExitCode}: {ok.Stderr}\n{string.Join("\n", sshd.Log.TakeLast(20))}");
            Assert.Equal(users.A.Name, ok.Stdout.Trim());
            var wrongAudience = sshd.Login(users.A.Name, forData, "keyboard-interactive");
            Assert.NotEqual(0, wrongAudience.ExitCode);

            string audit = File.ReadAllText(Path.Combine(site.Dir.Path, "login-audit.log"));
            Assert.Contains("\"reason\":\"pam.user_mismatch\"", audit);
            Assert.Contains("\"reason\":\"token.audience\"", audit);
            Assert.Contains($"\"user\":\"{users.A.Name}\"", audit);
        }
        finally
        {
            File.Delete(pamFile);
        }
    }
}
