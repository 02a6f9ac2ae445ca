using Launcher.Cli.Commands;
using Launcher.Posix.Privileged;

namespace Launcher.Cli
{
    public static class CommandLine
    {
        public static string Version =>
            typeof(CommandLine).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

        /// <summary>Command name to handler. Every command of DESIGN.md is registered here and nowhere else.</summary>
        private static readonly Dictionary<string, Func<IReadOnlyList<string>, int>> Commands = new(StringComparer.Ordinal)
        {
            ["validate"] = a => ValidateCommand.Run(a, explain: false),
            ["explain"] = a => ValidateCommand.Run(a, explain: true),
            ["check-config"] = CheckConfigCommand.Run,
            ["jwks"] = JwksCommand.Run,
            ["run"] = RunCommand.Run,
            ["executor"] = Launcher.Cli.Commands.Executor.ExecutorCommand.Run,
            ["token"] = TokenCommand.Run,
            ["keys"] = KeysCommand.Run,
        };

        public static int Main(string[] args)
        {
            // Before the console is touched: its first write needs descriptors of its own (and the
            // runtime's signal pipe), so with too few the refusal itself would abort the runtime.
            if (Launcher.Posix.Launch.JobLimits.CheckDescriptors() is { } descriptors)
            {
                Launcher.Posix.Launch.JobLimits.WriteStderr($"ci-launcher: {descriptors}\n");
                return ExitCodes.UsageOrConfig;
            }
            // A caller chooses what fds 1 and 2 are (read-only /dev/null when it closed them): a failed
            // write must lose the line, not abort the process.
            Console.SetOut(new LossyWriter(Console.Out));
            Console.SetError(new LossyWriter(Console.Error));
            return Dispatch(args);
        }

        public static int Dispatch(string[] args)
        {
            // The runtime has already read DOTNET_* by now; a set-id process that still sees them was
            // started around ci-launcher-suid, and must not go on to act on a caller's behalf.
            if (ProcessIdentity.IsSetId && ProcessIdentity.DangerousEnvironment() is { Count: > 0 } bad)
            {
                Console.Error.WriteLine($"ci-launcher: env.untrusted: running set-id with {string.Join(", ", bad)} in the environment; start it through ci-launcher-suid, which clears them");
                return ExitCodes.UsageOrConfig;
            }
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                Usage(args.Length == 0 ? Console.Error : Console.Out);
                return args.Length == 0 ? ExitCodes.UsageOrConfig : 0;
            }
            if (args[0] is "--version" or "version")
            {
                Console.Out.WriteLine($"ci-launcher {Version}");
                return 0;
            }
            // Set-id, the job must get the caller's resource limits back: ci-launcher-suid recorded them.
            if (Launcher.Posix.Launch.JobLimits.Load() is { } limits)
            {
                Console.Error.WriteLine($"ci-launcher: {limits}");
                return ExitCodes.UsageOrConfig;
            }
            if (!Commands.TryGetValue(args[0], out var command))
            {
                Console.Error.WriteLine($"ci-launcher: unknown command '{args[0]}'; run 'ci-launcher --help' for the list");
                return ExitCodes.UsageOrConfig;
            }
            try
            {
                return command(args[1..]);
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"ci-launcher {args[0]}: {e.Message} (see 'ci-launcher --help')");
                return ExitCodes.UsageOrConfig;
            }
            catch (Exception e)
            {
                // A bug, not a decision: one line, no stack trace, and nothing was granted.
                Console.Error.WriteLine($"ci-launcher: internal.error: {e.GetType().Name}: {e.Message}");
                return ExitCodes.UsageOrConfig;
            }
        }

        private static void Usage(TextWriter w)
        {
            w.WriteLine($"""
                ci-launcher {Version} - run CI jobs as the Unix user their signed token maps to

                usage: ci-launcher COMMAND [OPTIONS]

                  validate --config FILE --token-file FILE|- [--json]   verify token, policy, account (exit 0/1/2)
                  explain  --config FILE --token-file FILE|- [--scheduler-parameters TEXT]
                                                                        the same, as a trace of every check (and the batch checks)
                  check-config [--config FILE]                          check the configuration and key sets
                  jwks refresh [--config FILE] [--issuer NAME]          fetch each issuer's JWKS, replace jwks_file atomically
                  run --config FILE [--token-file FILE|-] -- SCRIPT [ARGS]   run SCRIPT as the mapped user (exit: the job's status; 125 refused)
                  executor config|prepare|run|cleanup [--config FILE]   GitLab custom executor stages (see 'executor --help')
                  token issue --audience AUD [--lifetime 5m] [--token-file FILE|-]   site token for this job (docs/site-tokens.md)
                  keys generate [--alg ES256|RS256] | activate KID | retire [--compromised] KID | list   site keys (root)
                  jwks export [--output FILE] [--openid-configuration]  public JWKS / discovery document of the site keys (root)
                  --version                                             print the version

                Exit codes: 0 allowed, 1 denied, 2 usage or configuration error.
                See ci-launcher(8) and ci-launcher.yaml(5).
                """);
        }
    }
}
