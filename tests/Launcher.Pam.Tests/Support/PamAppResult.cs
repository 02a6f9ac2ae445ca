using Launcher.Integration.Tests.Support;

namespace Launcher.Pam.Tests.Support;

/// <summary>What native/pam_app printed: the PAM return codes and whether host signal dispositions survived.</summary>
public sealed record PamAppResult(int Auth, int Account, int Prompts, string Signals, string Stderr)
{
    public static PamAppResult Run(PamSite site, string user, string tokenFile, string service = PamSite.Service, params string[] options)
    {
        var env = site.WrapperEnv();
        // pam_wrapper prints what modules send to pam_syslog on stderr at this level, so tests can read the log lines.
        env["PAM_WRAPPER_DEBUGLEVEL"] = "2";
        var r = Proc.Run(site.PamApp, [service, user, tokenFile, .. options], env);
        Assert.True(r.ExitCode == 0, $"pam_app failed ({r.ExitCode}): {r.Stderr}");
        var fields = r.Stdout.Trim().Split(' ').Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
        return new PamAppResult(int.Parse(fields["auth"]), int.Parse(fields["account"]), int.Parse(fields["prompts"]), fields["signals"], r.Stderr);
    }
}
