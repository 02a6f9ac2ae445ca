
namespace Launcher.Pam.Tests.Support;

/// <summary>What native/pam_app printed: the PAM return codes and whether host signal dispositions survived.</summary>
public sealed record PamAppResult(int Auth, int Account, int Prompts, string Signals, string Stderr)
{
    public static PamAppResult Run(PamSite site, string user, string tokenFile, string service = PamSite.Service, params string[] options) =>
        RunUnder(site, [], null, user, tokenFile, service, options);

    /// <summary>
    /// pam_app started through <paramref name="launcher"/> (prlimit, unshare ...), which ends by
    /// exec'ing its remaining arguments. The wrapper libraries (and <paramref name="extraPreload"/>)
    /// are preloaded into pam_app only, not into the launcher.
    /// </summary>
    public static PamAppResult RunUnder(PamSite site, IReadOnlyList<string> launcher, string? extraPreload,
        string user, string tokenFile, string service = PamSite.Service, params string[] options)
    {
        var env = site.WrapperEnv();
        // pam_wrapper prints what modules send to pam_syslog on stderr at this level, so tests can read the log lines.
        env["PAM_WRAPPER_DEBUGLEVEL"] = "2";
        if (extraPreload is not null) env["LD_PRELOAD"] += " " + extraPreload;
        string[] app = [site.PamApp, service, user, tokenFile, .. options];
        ProcResult r;
        if (launcher.Count == 0)
            r = Proc.Run(app[0], app[1..], env);
        else
        {
            env["CIL_TEST_PRELOAD"] = env["LD_PRELOAD"];
            env.Remove("LD_PRELOAD");
            r = Proc.Run(launcher[0], [.. launcher.Skip(1), "/bin/sh", "-c", "exec env LD_PRELOAD=\"$CIL_TEST_PRELOAD\" \"$@\"", "sh", .. app], env);
        }
        Assert.True(r.ExitCode == 0, $"pam_app failed ({r.ExitCode}): {r.Stderr}");
        var fields = r.Stdout.Trim().Split(' ').Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
        return new PamAppResult(int.Parse(fields["auth"]), int.Parse(fields["account"]), int.Parse(fields["prompts"]), fields["signals"], r.Stderr);
    }
}
