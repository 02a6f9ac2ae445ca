using Launcher.Integration.Tests.Support;

namespace Launcher.Pam.Tests.Support;

/// <summary>What native/pam_app printed: the PAM return codes and whether host signal dispositions survived.</summary>
public sealed record PamAppResult(int Auth, int Account, int Prompts, string Signals, string Stderr)
{
    public static PamAppResult Run(PamSite site, string user, string tokenFile, string service = PamSite.Service, params string[] options)
    {
        var r = Proc.Run(site.PamApp, [service, user, tokenFile, .. options], site.WrapperEnv());
        Assert.True(r.ExitCode == 0, $"pam_app failed ({r.ExitCode}): {r.Stderr}");
        var fields = r.Stdout.Trim().Split(' ').Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
        return new PamAppResult(int.Parse(fields["auth"]), int.Parse(fields["account"]), int.Parse(fields["prompts"]), fields["signals"], r.Stderr);
    }
}

/// <summary>Linux-PAM return values (security/_pam_types.h) the tests expect.</summary>
public static class PamCode
{
    public const int Success = 0;
    public const int ServiceErr = 3;
    public const int PermDenied = 6;
    public const int AuthErr = 7;
    public const int AuthInfoUnavail = 9;
    public const int UserUnknown = 10;
}
