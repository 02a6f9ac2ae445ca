using System.Text.Json;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Executor;

/// <summary>
/// The executor stages as GitLab Runner calls them, up to the point where the job would start:
/// the config JSON, and every refusal with the exit code the runner's contract asks for.
/// </summary>
public class ExecutorRefusalTests
{
    private const int B = GitLabRunnerEmulator.BuildFailureExitCode;
    private const int S = GitLabRunnerEmulator.SystemFailureExitCode;

    [RootFact]
    public void Config_prints_the_runner_json_with_per_user_directories()
    {
        using var site = new ExecutorSite();
        using var runner = site.Runner(jobId: 1001, tokenJobId: 1001);
        var r = runner.Config();
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal($"{site.Scratch.Path}/{site.User}/builds/17", root.GetProperty("builds_dir").GetString());
        Assert.Equal($"{site.Scratch.Path}/{site.User}/cache/17", root.GetProperty("cache_dir").GetString());
        // Per user, not per job: GitLab Runner must add a per-concurrency directory (issue 13, item 7).
        Assert.True(root.GetProperty("builds_dir_is_shared").GetBoolean());
        Assert.Equal("ci-test-host", root.GetProperty("hostname").GetString());
        Assert.Equal("ci-launcher", root.GetProperty("driver").GetProperty("name").GetString());
        // The mapped user is kept in the root-owned state directory, not in the runner's environment.
        Assert.False(root.TryGetProperty("job_env", out _));
        Assert.Equal(site.User + "\n", File.ReadAllText(Path.Combine(site.StateOf(1001), "mapped+user")));
        Assert.DoesNotContain(runner.Variables["CI_LAUNCHER_ID_TOKEN"], r.Stdout + r.Stderr);

        // The decision is audited with the runner's job id, and never with the token.
        string audit = File.ReadAllText(site.Site.AuditPath);
        Assert.Contains("\"executor config\"", audit);
        Assert.Contains("\"runner_job_id\":\"1001\"", audit.Replace(" ", ""));
        Assert.DoesNotContain(runner.Variables["CI_LAUNCHER_ID_TOKEN"], audit);
    }

    [RootFact]
    public void A_job_without_a_token_is_told_which_id_tokens_block_to_add()
    {
        using var site = new ExecutorSite();
        using var runner = site.Runner(jobId: 1001, tokenJobId: null);
        var results = runner.RunJob("true");
        Assert.Equal(B, results[0].ExitCode);
        Assert.Contains("token.missing", results[0].Stderr);
        Assert.Contains("id_tokens:\n  CI_LAUNCHER_ID_TOKEN:\n    aud: https://hpc.example.org\n", results[0].Stderr);
        Assert.Equal("", results[0].Stdout);
        // The runner goes straight to cleanup, which never fails the job.
        Assert.Equal(["config", "cleanup"], results.Select(x => x.Stage));
        Assert.Equal(0, results[1].ExitCode);
    }

    [RootFact]
    public void A_token_of_another_job_is_refused_in_every_stage()
    {
        using var site = new ExecutorSite();
        using var runner = site.Runner(jobId: 1001, tokenJobId: 1002);
        var config = runner.Config();
        Assert.Equal(B, config.ExitCode);
        Assert.Contains("executor.job_mismatch", config.Stderr);
        Assert.Contains("job '1002', but this is job 1001", config.Stderr);
        var prepare = runner.Prepare();
        Assert.Equal(B, prepare.ExitCode);
        Assert.Contains("executor.job_mismatch", prepare.Stderr);
        var run = runner.Run("step_script", "touch /tmp/clexe-must-not-exist");
        Assert.Equal(B, run.ExitCode);
        Assert.Contains("executor.job_mismatch", run.Stderr);
        Assert.False(File.Exists("/tmp/clexe-must-not-exist"));
        Assert.False(Directory.Exists(Path.Combine(site.Scratch.Path, site.User)));
    }

    [RootFact]
    public void A_missing_job_response_file_is_a_system_failure_naming_the_file()
    {
        using var site = new ExecutorSite();
        using var runner = site.Runner(jobId: 1001, tokenJobId: 1001);
        runner.JobResponseFile = Path.Combine(runner.TempDir, "no-such-response.json");
        var r = runner.Config();
        Assert.Equal(S, r.ExitCode);
        Assert.Contains("executor.job_response", r.Stderr);
        Assert.Contains("no-such-response.json", r.Stderr);
    }

    [RootFact]
    public void Run_refuses_path_characters_in_the_stage_name()
    {
        using var site = new ExecutorSite();
        using var runner = site.Runner(jobId: 1001, tokenJobId: 1001);
        var r = runner.Run("../../etc/cron.d/x", "true");
        Assert.Equal(S, r.ExitCode);
        Assert.Contains("executor.stage_name", r.Stderr);
    }

    [RootFact]
    public void Run_refuses_a_symlinked_script_and_one_the_runner_does_not_own()
    {
        using var site = new ExecutorSite();
        using var runner = site.Runner(jobId: 1001, tokenJobId: 1001);
        string script = runner.WriteScript("true");
        string link = Path.Combine(runner.TempDir, "link");
        File.CreateSymbolicLink(link, script);
        var symlinked = RunWith(runner, link);
        Assert.Equal(S, symlinked.ExitCode);
        Assert.Contains("executor.script", symlinked.Stderr);
        Assert.Contains("symbolic link", symlinked.Stderr);

        Proc.Run("chown", [site.User, script]);
        var foreign = RunWith(runner, script);
        Assert.Equal(S, foreign.ExitCode);
        Assert.Contains("not by the runner (uid 0)", foreign.Stderr);
    }

    [RootFact]
    public void Missing_exit_code_variables_fall_back_to_1_and_2_and_say_so()
    {
        using var site = new ExecutorSite();
        var r = Proc.Run(Dist.CiLauncher, ["executor", "config", "--config", site.Site.ConfigPath],
            new Dictionary<string, string> { ["JOB_RESPONSE_FILE"] = "/nonexistent/job.json" });
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("BUILD_FAILURE_EXIT_CODE is not set; using 1", r.Stderr);
        Assert.Contains("SYSTEM_FAILURE_EXIT_CODE is not set; using 2", r.Stderr);
    }

    [Fact]
    public void Help_documents_the_exit_code_table()
    {
        var r = Proc.Run(Dist.CiLauncher, ["executor", "--help"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("BUILD_FAILURE_EXIT_CODE", r.Stdout);
        Assert.Contains("SYSTEM_FAILURE_EXIT_CODE", r.Stdout);
        Assert.Contains("BUILD_EXIT_CODE_FILE", r.Stdout);
    }

    private static ProcResult RunWith(GitLabRunnerEmulator runner, string script) =>
        Proc.Run(Dist.CiLauncher, ["executor", "run", "--config", "x", script, "step_script"], new Dictionary<string, string>
        {
            ["JOB_RESPONSE_FILE"] = runner.JobResponseFile,
            ["BUILD_FAILURE_EXIT_CODE"] = B.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SYSTEM_FAILURE_EXIT_CODE"] = S.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
}
