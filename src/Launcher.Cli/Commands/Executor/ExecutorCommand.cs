using Launcher.Core.Launch;

namespace Launcher.Cli.Commands.Executor;

/// <summary>
/// <c>ci-launcher executor config|prepare|run|cleanup</c>: the four stages of GitLab Runner's
/// custom executor. Exit codes follow the runner's contract, not ci-launcher's 0/1/2.
/// </summary>
public static class ExecutorCommand
{
    public static int Run(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0 || argv[0] is "-h" or "--help" or "help")
        {
            Help(argv.Count == 0 ? Console.Error : Console.Out);
            return argv.Count == 0 ? ExitCodes.UsageOrConfig : 0;
        }
        // Not a runner stage: a batch stage's own monitor, already running as the job's user.
        if (argv[0] == "batch-monitor") return Batch.BatchMonitor.Run(argv.Skip(1).ToList());
        var codes = StageContext.ReadExitCodes();
        string stage = argv[0];
        try
        {
            var args = CliArgs.Parse(argv.Skip(1).ToList(), new HashSet<string> { "config" }, new HashSet<string>());
            int expected = stage == "run" ? 2 : 0;
            if (stage is not ("config" or "prepare" or "run" or "cleanup"))
                throw new UsageException($"unknown stage '{stage}'; use config, prepare, run or cleanup");
            if (args.Positional.Count + args.Rest.Count != expected)
                throw new UsageException(stage == "run"
                    ? "run needs SCRIPT STAGE (gitlab-runner appends them after run_args)"
                    : $"{stage} takes no arguments besides --config");
            var positional = args.Positional.Concat(args.Rest).ToList();
            if (stage == "cleanup") return CleanupStage.Run(codes, args.Get("config"));
            if (stage == "run")
            {
                // Checked before anything is loaded: these are the runner's arguments, not the job's.
                if (RunStage.CheckArguments(codes, positional[0], positional[1], out byte[]? script) is { } refused) return refused;
                var runCtx = StageContext.Begin($"run {positional[1]}", codes, args.Get("config"), out int runExit);
                return runCtx is null ? runExit : RunStage.Run(runCtx, positional[1], script!);
            }
            var ctx = StageContext.Begin(stage, codes, args.Get("config"), out int exit);
            if (ctx is null) return exit;
            return stage == "config" ? ConfigStage.Run(ctx) : PrepareStage.Run(ctx);
        }
        catch (UsageException e)
        {
            // A mistake in config.toml (*_args) is the site's to fix, whatever the stage.
            Console.Error.WriteLine($"ci-launcher executor: {e.Message} (see 'ci-launcher executor --help')");
            return stage == "cleanup" ? 0 : codes.SystemFailure;
        }
    }

    private static void Help(TextWriter w) => w.WriteLine($"""
        usage: ci-launcher executor config  [--config FILE]                (config_exec)
               ci-launcher executor prepare [--config FILE]                (prepare_exec)
               ci-launcher executor run     [--config FILE] SCRIPT STAGE   (run_exec; the runner appends SCRIPT STAGE)
               ci-launcher executor cleanup [--config FILE]                (cleanup_exec)

        GitLab Runner custom executor driver. Every stage verifies the job's ID token again
        (CUSTOM_ENV_<token_variable>, default CUSTOM_ENV_CI_LAUNCHER_ID_TOKEN), ties it to the
        runner's job (JOB_RESPONSE_FILE) and runs nothing unless the policy allows it.

        Exit codes (B = $BUILD_FAILURE_EXIT_CODE, default {ExitCodeContract.DefaultBuildFailure}; S = $SYSTEM_FAILURE_EXIT_CODE, default {ExitCodeContract.DefaultSystemFailure}):
          0  success
          B  the job's author can fix it: no token (the id_tokens: block to add is printed),
             token refused, policy or account denied, token of another job/project/runner,
             mapped user changed between stages, or the job script exited non-zero
             (its status is written to $BUILD_EXIT_CODE_FILE when set); for batch stages
             also SCHEDULER_PARAMETERS refused or outside the rule's batch bounds
          S  the site must fix it: config missing/invalid/untrusted, no executor: section,
             key set, account lookup, audit sink, JOB_RESPONSE_FILE missing or unreadable,
             unsafe directory template, bad stage name or script file, prepare hook,
             privilege drop or launch failure, bad *_args in config.toml; for batch
             stages sbatch missing, controller unreachable, submission rejected, job
             never started (start_timeout) or ended TIMEOUT/NODE_FAIL/PREEMPTED/...
          cleanup always exits 0 (problems are printed as warnings).
        Stages on executor.batch.stages run as Slurm jobs of the mapped user; the stage
        starts 'ci-launcher executor batch-monitor PLAN' as that user (internal).
        See docs/executor.md.
        """);
}
