using System.Globalization;
using Launcher.Cli.Launch;
using Launcher.Core.Accounts;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Executor;
using Launcher.Core.Launch;
using Launcher.Core.Paths;
using Launcher.Core.Templates;
using Launcher.Core.Tokens;
using Launcher.Posix.Executor;
using Launcher.Posix.Launch;
using Launcher.Posix.Privileged;

namespace Launcher.Cli.Commands.Executor;

/// <summary>
/// What every executor stage establishes before acting, from scratch each time (the environment
/// between stages belongs to the runner and the job's author): the exit-code contract, the site,
/// the runner's job, the verified and bound token, the account and the job's directories.
/// </summary>
public sealed class StageContext
{
    private StageContext(string stage, ExitCodeContract codes)
    {
        Stage = stage;
        Codes = codes;
        string[] words = stage.Split(' ');
        AuditCommand = "executor " + words[0];
        RunnerStage = words[^1];
    }

    /// <summary>As the runner named it: "config", "prepare", "cleanup", or "run" and its sub-stage ("run step_script").</summary>
    public string Stage { get; }
    /// <summary>The audit record's command: "executor" and the stage, one for all of run's sub-stages.</summary>
    private string AuditCommand { get; }
    /// <summary>The runner's stage: config, prepare, cleanup, or the sub-stage of run (step_script, ...).</summary>
    private string RunnerStage { get; }
    public ExitCodeContract Codes { get; }
    public Site Site { get; private set; } = null!;
    public ExecutorSettings Settings { get; private set; } = null!;
    public JobResponse Job { get; private set; } = null!;
    public Decision Decision => Launch.Decision;

    /// <summary>The stage's launch sequence, with its decision recorded; known once <see cref="Authorize"/> ran.</summary>
    public LaunchSequence Launch { get; private set; } = null!;
    public Account Account => Decision.Account!;
    /// <summary>The job's directories (executor.builds_dir, cache_dir, temp_dir) for its account; known once <see cref="Authorize"/> succeeded.</summary>
    public UserPath Builds { get; private set; } = null!;
    public UserPath Cache { get; private set; } = null!;
    public UserPath? Temp { get; private set; }
    public string BuildsDir => Builds.Path;
    public string CacheDir => Cache.Path;
    public string? TempDir => Temp?.Path;

    /// <summary>The job's directory under executor.state_dir; known once <see cref="Authorize"/> succeeded.</summary>
    public JobStateKey StateKey => new(Job.JobId, Decision.Token!.Issuer.Issuer);

    /// <summary>The exit-code contract of this stage; its notes (missing variables) go to stderr once.</summary>
    public static ExitCodeContract ReadExitCodes()
    {
        var codes = ExitCodeContract.ForExecutor(Environment.GetEnvironmentVariable);
        foreach (var note in codes.Notes) Console.Error.WriteLine($"ci-launcher: {Reasons.ExecutorExitCodes}: {note}");
        return codes;
    }

    /// <summary>One stderr line with the reason code and the fix; the runner's code for whose problem it is.</summary>
    public static int Fail(ExitCodeContract codes, Refusal refusal) => LaunchSequence.Fail(codes, refusal);

    /// <summary>Loads the site and the runner's job: everything that does not need the token. Null with the exit code on failure.</summary>
    public static StageContext? Begin(string stage, ExitCodeContract codes, string? configPath, out int exit)
    {
        var ctx = new StageContext(stage, codes);
        exit = 0;
        var site = Site.Load(configPath, ctx.AuditCommand);
        if (site is null) { exit = codes.SystemFailure; return null; }
        if (site.Config.Executor is null)
        {
            exit = Fail(codes, Refusal.SiteError(Reasons.ExecutorNotConfigured, $"{site.Config.Path} has no 'executor:' section; add builds_dir and cache_dir (see docs/executor.md)"));
            return null;
        }
        ctx.Site = site;
        ctx.Settings = site.Config.Executor;
        // Through ci-launcher-suid only members of launch.caller_group get further, before any token is read.
        if (CallerGate.CheckCaller(site.Config.Launch) is { } callerRefusal)
        {
            site.Record(Decision.Refused(callerRefusal), ctx.AuditCommand);
            // A runner that may not use the launcher is the site's setup to fix, whatever the refusal says.
            Console.Error.WriteLine($"ci-launcher: {callerRefusal}");
            exit = codes.SystemFailure;
            return null;
        }

        string? responseFile = Environment.GetEnvironmentVariable("JOB_RESPONSE_FILE");
        if (string.IsNullOrEmpty(responseFile))
        {
            exit = Fail(codes, Refusal.SiteError(Reasons.ExecutorJobResponse, "JOB_RESPONSE_FILE is not set; gitlab-runner sets it for every custom executor stage (GitLab Runner too old, or not started by it?)"));
            return null;
        }
        var bytes = CallerAccess.ReadOwned(responseFile, JobResponse.MaxBytes);
        if (!bytes.Ok)
        {
            exit = Fail(codes, bytes.Refusal.AsSiteError(Reasons.ExecutorJobResponse).In("JOB_RESPONSE_FILE"));
            return null;
        }
        var job = JobResponse.Parse(bytes.Value);
        if (!job.Ok)
        {
            exit = Fail(codes, Refusal.SiteError(Reasons.ExecutorJobResponse, $"JOB_RESPONSE_FILE {responseFile} {job.Refusal.Detail}"));
            return null;
        }
        ctx.Job = job.Value;
        return ctx;
    }

    /// <summary>Token, policy, account, job binding and audit; then the job's directories. Returns false with the exit code.</summary>
    public bool Authorize(out int exit)
    {
        var decision = Decide();
        if (decision.Allowed) decision = CheckMappedUser(decision);
        var extra = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["stage"] = RunnerStage,
            ["runner_job_id"] = Job.JobId.ToString(CultureInfo.InvariantCulture),
        };
        Launch = new LaunchSequence(Site, decision, AuditCommand, extra, Codes);
        var unrecorded = Launch.RecordDecision();
        if (!decision.Allowed)
        {
            Console.Error.WriteLine($"ci-launcher: {decision.Refusal}");
            if (decision.Reason == Reasons.TokenMissing) PrintIdTokensHint();
            exit = Codes.For(decision.Refusal!);
            return false;
        }
        if (unrecorded is not null)
        {
            exit = Fail(Codes, unrecorded);
            return false;
        }

        var builds = Expand(Settings.BuildsDir);
        var cache = builds.Ok ? Expand(Settings.CacheDir) : builds;
        var temp = cache.Ok && Settings.TempDir is { } t ? Expand(t) : cache;
        if (!temp.Ok)
        {
            exit = Fail(Codes, temp.Refusal.AsSiteError(Reasons.ExecutorPath).In("executor"));
            return false;
        }
        (Builds, Cache, Temp) = (builds.Value, cache.Value, Settings.TempDir is null ? null : temp.Value);
        exit = 0;
        return true;
    }

    /// <summary>
    /// One of the executor's directory templates for this job, from verified values only: the
    /// account, the verified token and the runner's job response (<see cref="TemplateValues"/>).
    /// </summary>
    public Outcome<UserPath> Expand(PathTemplate template) =>
        template.Expand(new TemplateValues(Account.Name, Account.Uid, Account.Gid, Job.JobId, Job.ProjectId,
            JobBinding.RunnerId(Decision.Token!.Claims, Job)).Get);

    /// <summary>
    /// The config stage records the account it mapped the job to in the job's root-owned state
    /// directory; every later stage must map to the same one. The runner's environment cannot carry
    /// this (the wrapper strips it, and the runner is the party the check distrusts).
    /// </summary>
    private Decision CheckMappedUser(Decision decision)
    {
        string user = decision.Account!.Name;
        bool first = Stage == "config";
        var opened = JobStateDirectory.Open(Settings.StateDir, new JobStateKey(Job.JobId, decision.Token!.Issuer.Issuer), create: first);
        if (!opened.Ok)
            return decision.Deny(first
                ? opened.Refusal.AsSiteError(Reasons.ExecutorState)
                : Refusal.Denied(Reasons.ExecutorUserChanged, $"{opened.Refusal.Detail}; the job must start with config_exec"));
        using var state = opened.Value;
        if (first)
            return state.RecordMappedUser(user) is { } notRecorded ? decision.Deny(notRecorded.AsSiteError(Reasons.ExecutorState)) : decision;
        var recorded = state.MappedUser();
        if (!recorded.Ok) return decision.Deny(recorded.Refusal.AsDenied(Reasons.ExecutorUserChanged));
        return recorded.Value == user ? decision
            : decision.Deny(Refusal.Denied(Reasons.ExecutorUserChanged, $"the config stage mapped this job to '{recorded.Value}', now it maps to '{user}'; the token or the policy changed during the job, retry it"));
    }

    private Decision Decide()
    {
        // One variable per issuer; the first issuer whose variable is set supplies the token.
        foreach (var issuer in Site.Config.Issuers)
        {
            string variable = CustomEnvironment.Prefix + issuer.TokenVariable;
            string? value = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(value)) continue;
            var token = TokenEnvelope.FromFileText(System.Text.Encoding.UTF8.GetBytes(value));
            if (!token.Ok) return Decision.Refused(token.Refusal.In(variable));
            var decision = Site.Authorizer.Authorize(token.Value);
            if (!decision.Allowed) return decision;
            // A token of issuer B presented in issuer A's variable is not what the site configured.
            if (decision.Token!.Issuer.TokenVariable != issuer.TokenVariable)
                return decision.Deny(Refusal.Denied(Reasons.ExecutorTokenVariable, $"the token is from issuer '{decision.Token.Issuer.Name}', which is read from {CustomEnvironment.Prefix}{decision.Token.Issuer.TokenVariable}, not {variable}"));
            return JobBinding.Check(decision.Token.Claims, Job) is { } unbound ? decision.Deny(unbound) : decision;
        }
        string names = string.Join(" or ", Site.Config.Issuers.Select(i => CustomEnvironment.Prefix + i.TokenVariable).Distinct());
        return Decision.Refused(Refusal.Denied(Reasons.TokenMissing, $"the job has no ID token ({names} is not set); add id_tokens to the job in .gitlab-ci.yml:"));
    }

    private void PrintIdTokensHint()
    {
        var issuer = Site.Config.Issuers[0];
        Console.Error.WriteLine();
        Console.Error.WriteLine(IdTokensHint.For(issuer));
        Console.Error.WriteLine();
    }

    /// <summary>The variables the job gets from the stage: the allowlisted CUSTOM_ENV_* values, and TMPDIR when temp_dir is set.</summary>
    public SortedDictionary<string, string> JobVariables()
    {
        var stage = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string>((string)e.Key, (string?)e.Value ?? ""));
        var tokenVariables = new HashSet<string>(Site.Config.Issuers.Select(i => i.TokenVariable), StringComparer.Ordinal);
        var env = CustomEnvironment.Select(stage, Settings.EnvAllowlist, tokenVariables);
        if (TempDir is not null) env["TMPDIR"] = TempDir;
        return env;
    }

    /// <summary>
    /// The plan for one of the stage's jobs: <paramref name="script"/> run by launch.shell as the
    /// account in <paramref name="workingDirectory"/>, with launch's environment and <see cref="JobVariables"/>.
    /// </summary>
    public Outcome<LaunchPlan> Plan(string script, IReadOnlyList<string> arguments, string workingDirectory) =>
        LaunchPlan.ForStage(Site.Config.Launch, Decision, script, arguments, JobVariables(), workingDirectory,
            Site.Config.Issuers.Select(i => i.TokenVariable).Distinct().ToList(), JobLimits.ForJob);

    public void Announce() =>
        Console.Error.WriteLine($"ci-launcher: job {Job.JobId} runs as {Account.Name} (uid {Account.Uid}) by rule '{Decision.Rule}' of issuer '{Decision.Token!.Issuer.Name}'");
}
