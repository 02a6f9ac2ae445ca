using Launcher.Cli.Commands;
using Launcher.Posix.Privileged;
using Launcher.Posix;

namespace Launcher.Cli
{
    /// <summary>
    /// <c>ci-launcher-jwks-refresh [--config FILE] [--issuer NAME]</c>: what <c>ci-launcher jwks
    /// refresh</c> runs (it execs this binary with its arguments). Same messages and exit codes.
    /// </summary>
    public static class CommandLine
    {
        public static string Version =>
            typeof(CommandLine).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

        public static int Main(string[] args)
        {
            // As in ci-launcher: a set-id process that still sees DOTNET_* was started around the wrapper.
            if (ProcessIdentity.IsSetId && ProcessIdentity.DangerousEnvironment() is { Count: > 0 } bad)
            {
                Console.Error.WriteLine($"ci-launcher: env.untrusted: running set-id with {string.Join(", ", bad)} in the environment; start it through ci-launcher-suid, which clears them");
                return ExitCodes.UsageOrConfig;
            }
            try
            {
                return JwksRefreshCommand.Run(args);
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"ci-launcher jwks: {e.Message} (see 'ci-launcher --help')");
                return ExitCodes.UsageOrConfig;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"ci-launcher: internal.error: {e.GetType().Name}: {e.Message}");
                return ExitCodes.UsageOrConfig;
            }
        }
    }
}
