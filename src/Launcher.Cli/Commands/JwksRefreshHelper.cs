using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Posix.Privileged;
using Launcher.Posix;
using Launcher.Posix.Files;

namespace Launcher.Cli.Commands;

/// <summary>
/// <c>jwks refresh</c> runs in a binary of its own, <c>ci-launcher-jwks-refresh</c>
/// (src/Launcher.Refresh), which this command execs with the same arguments. It is the only
/// command that needs HttpClient and TLS: linked into ci-launcher they made up 40% of the binary
/// and cost every launch 1.5 ms and 2.6 MiB of start-up (bench/launch/README.md).
/// </summary>
public static class JwksRefreshHelper
{
    public const string Name = "ci-launcher-jwks-refresh";

    public static int Run(IReadOnlyList<string> argv)
    {
        // Refused here already, as the helper would: nothing of root's is executed for such a caller.
        if (Site.RefuseUnlessRoot("jwks refresh")) return ExitCodes.UsageOrConfig;
        string? helper = InstallLayout.HelperFor(Environment.ProcessPath, Name);
        if (helper is null)
            return Fail($"cannot locate {Name}: the path of this binary is unknown or it was replaced while running; run the refresh again");
        // Root executes it by path: only a file whose whole path is root's alone (as launch.shell).
        if (ProcessIdentity.IsPrivileged && TrustedFile.Check(helper) is { } untrusted)
            return Fail($"{Name}: {untrusted.Detail} (reinstall ci-launcher)");
        string failure = ProgramImage.Replace(helper, [helper, .. argv]);
        return Fail($"{failure} (reinstall ci-launcher)");
    }

    private static int Fail(string detail)
    {
        Console.Error.WriteLine($"ci-launcher: {Reasons.JwksFetchFailed}: {detail}; the key sets were not touched");
        return ExitCodes.UsageOrConfig;
    }
}
