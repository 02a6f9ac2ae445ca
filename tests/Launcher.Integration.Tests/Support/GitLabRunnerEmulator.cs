using System.Diagnostics;
using System.Text.Json;

namespace Launcher.Integration.Tests.Support;

/// <summary>One stage as the runner saw it: the exit code, its output, and BUILD_EXIT_CODE_FILE if written.</summary>
public sealed record StageResult(string Stage, int ExitCode, string Stdout, string Stderr, string? BuildExitCodeFile, uint? BuildExitCodeFileOwner = null);

/// <summary>
/// Plays GitLab Runner's custom executor for one job, the way its documentation describes it:
/// a private temporary directory (mode 0700, owned by the runner) holding JOB_RESPONSE_FILE and
/// the generated stage scripts; job variables as CUSTOM_ENV_*; the exit-code variables;
/// config_exec's job_env added to later stages; config, prepare, run per sub-stage, cleanup.
/// The runner process is root, or an unprivileged account when <see cref="RunnerUser"/> is set.
/// </summary>
public sealed class GitLabRunnerEmulator : IDisposable
{
    /// <summary>Not the documented fallbacks 1 and 2, so a driver that hard-codes them fails the tests.</summary>
    public const int BuildFailureExitCode = 41;
    public const int SystemFailureExitCode = 42;

    private readonly string _executable;
    private readonly Func<string, IReadOnlyList<string>> _stageArgs;
    private readonly Dictionary<string, string> _jobEnv = new(StringComparer.Ordinal);
    private int _scriptCounter;

    public GitLabRunnerEmulator(string executable, Func<string, IReadOnlyList<string>> stageArgs, long jobId, long projectId = 4242, long runnerId = 17,
        string? runnerUser = null, int concurrentId = 0)
    {
        _executable = executable;
        _stageArgs = stageArgs;
        JobId = jobId;
        ConcurrentId = concurrentId;
        RunnerUser = runnerUser;
        TempDir = Directory.CreateTempSubdirectory("custom-executor").FullName;
        File.SetUnixFileMode(TempDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        JobResponseFile = Path.Combine(TempDir, "job-response.json");
        WriteRunnerFile(JobResponseFile, $$"""
            {"id": {{jobId}}, "token": "glcbt-64_emulated", "allow_git_fetch": true,
             "job_info": {"name": "test", "stage": "test", "project_id": {{projectId}}, "project_name": "solver", "time_in_queue_seconds": 1.5},
             "git_info": {"repo_url": "https://gitlab.example.org/hpc/solver.git", "ref": "main", "sha": "4f3c2a1b", "ref_type": "branch", "depth": 20},
             "runner_info": {"timeout": 3600},
             "variables": [{"key": "CI_JOB_ID", "value": "{{jobId}}", "public": true, "masked": false},
                           {"key": "CI_PROJECT_ID", "value": "{{projectId}}", "public": true, "masked": false},
                           {"key": "CI_RUNNER_ID", "value": "{{runnerId}}", "public": true, "masked": false}],
             "steps": [{"name": "script", "script": ["make test"], "timeout": 3600, "when": "on_success", "allow_failure": false} ],
             "features": {"trace_sections": true} }
            """);
        BuildExitCodeFile = Path.Combine(TempDir, "build-exit-code");
        if (runnerUser is not null)
        {
            var r = Proc.Run("chown", ["-R", runnerUser, TempDir]);
            if (r.ExitCode != 0) throw new InvalidOperationException(r.Stderr);
        }
        Variables["CI_JOB_ID"] = jobId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Variables["CI_PROJECT_PATH"] = "hpc/solver";
        Variables["CI_SERVER_URL"] = "https://gitlab.example.org";
    }

    public long JobId { get; }

    /// <summary>
    /// GitLab Runner's ProjectRunnerID: the lowest number no other running job of the same project
    /// on this runner has. It only shows in the path when config_exec says builds_dir_is_shared.
    /// </summary>
    public int ConcurrentId { get; }

    /// <summary>The first 8 characters of the runner's token (Runner.ShortDescription()).</summary>
    public const string RunnerShortToken = "t0k3n5h0";
    public string? RunnerUser { get; }
    public string TempDir { get; }
    public string JobResponseFile { get; set; }
    public string BuildExitCodeFile { get; }

    /// <summary>The job's CI/CD variables; the driver sees them as CUSTOM_ENV_&lt;name&gt;.</summary>
    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>From config_exec's JSON, once it ran.</summary>
    public string? BuildsDir { get; private set; }
    public string? CacheDir { get; private set; }
    public bool BuildsDirIsShared { get; private set; }

    /// <summary>
    /// Before config_exec ran (or when it failed) the runner uses config.toml's builds_dir. As
    /// gitlab-runner's Build.ProjectUniqueDir: &lt;builds_dir&gt;[/&lt;short token&gt;/&lt;concurrent id&gt;]/&lt;namespace&gt;/&lt;project&gt;.
    /// </summary>
    public string ProjectDir => BuildsDirIsShared
        ? Path.Combine(BuildsDir!, RunnerShortToken, ConcurrentId.ToString(System.Globalization.CultureInfo.InvariantCulture), "hpc", "solver")
        : Path.Combine(BuildsDir ?? "/builds", "hpc", "solver");

    public StageResult Config()
    {
        var r = Stage("config", []);
        if (r.ExitCode == 0)
        {
            using var doc = JsonDocument.Parse(r.Stdout);
            BuildsDir = doc.RootElement.GetProperty("builds_dir").GetString();
            CacheDir = doc.RootElement.GetProperty("cache_dir").GetString();
            BuildsDirIsShared = doc.RootElement.GetProperty("builds_dir_is_shared").GetBoolean();
            if (doc.RootElement.TryGetProperty("job_env", out var env))
                foreach (var p in env.EnumerateObject()) _jobEnv[p.Name] = p.Value.GetString()!;
        }
        return r;
    }

    public StageResult Prepare() => Stage("prepare", []);

    public StageResult Cleanup() => Stage("cleanup", []);

    /// <summary>run_exec with a freshly generated script, as the runner writes them: variables exported first.</summary>
    public StageResult Run(string stage, string body)
    {
        string script = WriteScript(body);
        return Stage("run", [script, stage]);
    }

    /// <summary>run_exec with a script of exactly <paramref name="content"/> (no exports, no header).</summary>
    public StageResult RunRaw(string stage, string content)
    {
        string path = Path.Combine(TempDir, $"script{++_scriptCounter}");
        WriteRunnerFile(path, content, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return Stage("run", [path, stage]);
    }

    /// <summary>The stage's environment as the runner gives it (for tests that run a stage themselves).</summary>
    public ProcessStartInfo StartInfoFor(string stage, IReadOnlyList<string> args) => StartInfo(stage, args);

    /// <summary>Starts run_exec without waiting (for cancel tests).</summary>
    public Process StartRun(string stage, string body)
    {
        string script = WriteScript(body);
        var psi = StartInfo("run", [script, stage]);
        return Process.Start(psi)!;
    }

    public string WriteScript(string body)
    {
        string path = Path.Combine(TempDir, $"script{++_scriptCounter}");
        string exports = string.Join("\n", Variables
            .Where(v => !v.Key.Contains("TOKEN", StringComparison.Ordinal))
            .Select(v => $"export {v.Key}='{v.Value.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        WriteRunnerFile(path, $"""
            #!/usr/bin/env bash
            set -eo pipefail
            set +o noclobber
            {exports}
            export CI_BUILDS_DIR='{BuildsDir ?? "/builds"}'
            export CI_PROJECT_DIR='{ProjectDir}'
            {body}
            """, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>
    /// A whole job in the runner's order: config, prepare, then prepare_script, get_sources,
    /// step_script, after_script (even after a failure) and cleanup_file_variables, then cleanup.
    /// </summary>
    public IReadOnlyList<StageResult> RunJob(string stepScript)
    {
        var results = new List<StageResult>();
        var config = Config();
        results.Add(config);
        if (config.ExitCode != 0) { results.Add(Cleanup()); return results; }
        var prepare = Prepare();
        results.Add(prepare);
        if (prepare.ExitCode == 0)
        {
            bool failed = false;
            foreach (var (stage, body) in new[]
            {
                ("prepare_script", "echo \"Running on $(hostname) as $(id -un)...\""),
                ("get_sources", "mkdir -p \"$CI_PROJECT_DIR\" && cd \"$CI_PROJECT_DIR\" && echo 'int main(){}' > main.c"),
                ("step_script", $"cd \"$CI_PROJECT_DIR\"\n{stepScript}"),
            })
            {
                var r = Run(stage, body);
                results.Add(r);
                if (r.ExitCode != 0) { failed = true; break; }
            }
            results.Add(Run("after_script", "cd \"$CI_PROJECT_DIR\" && echo after > after.txt"));
            results.Add(Run("cleanup_file_variables", "rm -rf \"$CI_PROJECT_DIR.tmp\""));
            _ = failed;
        }
        results.Add(Cleanup());
        return results;
    }

    private StageResult Stage(string name, IReadOnlyList<string> args)
    {
        if (File.Exists(BuildExitCodeFile)) File.Delete(BuildExitCodeFile);
        var r = Proc.Run(StartInfo(name, args), timeout: TimeSpan.FromSeconds(60));
        string? code = File.Exists(BuildExitCodeFile) ? File.ReadAllText(BuildExitCodeFile) : null;
        uint? owner = code is null ? null
            : uint.Parse(Proc.Run("stat", ["-c", "%u", BuildExitCodeFile]).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return new StageResult(args.Count == 2 ? args[1] : name, r.ExitCode, r.Stdout, r.Stderr, code, owner);
    }

    /// <summary>The executable with <c>&lt;stage&gt;_args</c> from config.toml, then what the runner appends.</summary>
    private ProcessStartInfo StartInfo(string stage, IReadOnlyList<string> args)
    {
        string file = _executable;
        var argv = new List<string>();
        if (RunnerUser is not null)
        {
            // An unprivileged runner: its own uid and groups, nothing inherited from root.
            file = "/usr/bin/setpriv";
            argv.AddRange(["--reuid", RunnerUser, "--regid", Accounts.Gid(RunnerUser).ToString(System.Globalization.CultureInfo.InvariantCulture), "--init-groups", "--", _executable]);
        }
        argv.AddRange(_stageArgs(stage));
        argv.AddRange(args);
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in argv) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        psi.Environment["PATH"] = Proc.SearchPath;
        psi.Environment["LANG"] = "C.UTF-8";
        psi.Environment["RUNNER_HOST_SECRET"] = "must-not-reach-the-job";
        psi.Environment["JOB_RESPONSE_FILE"] = JobResponseFile;
        psi.Environment["BUILD_FAILURE_EXIT_CODE"] = BuildFailureExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["SYSTEM_FAILURE_EXIT_CODE"] = SystemFailureExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["BUILD_EXIT_CODE_FILE"] = BuildExitCodeFile;
        foreach (var (k, v) in Variables) psi.Environment["CUSTOM_ENV_" + k] = v;
        foreach (var (k, v) in _jobEnv) psi.Environment[k] = v;
        return psi;
    }

    private void WriteRunnerFile(string path, string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        if (RunnerUser is not null) Proc.Run("chown", [RunnerUser, path]);
    }

    public void Dispose()
    {
        try { Directory.Delete(TempDir, recursive: true); }
        catch (IOException) { }
    }
}
