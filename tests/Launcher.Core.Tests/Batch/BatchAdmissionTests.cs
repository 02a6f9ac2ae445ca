using System.Text.Json;
using Launcher.Core.Authorization;
using Launcher.Core.Batch;
using Launcher.Core.Config;
using Launcher.Core.Tests.Support;

namespace Launcher.Core.Tests.Batch;

/// <summary>SCHEDULER_PARAMETERS through the splitter, the allowlist and a rule's bounds, as a batch stage checks them.</summary>
public class BatchAdmissionTests
{
    private const string Batch = """
        executor:
          builds_dir: /scratch/{user}/builds
          cache_dir: /scratch/{user}/cache
          batch:
            system: slurm
        """;

    private const string Rules = """
            - name: merge-requests
              issuer: gitlab
              match: { project_path: "hpc/**", pipeline_source: merge_request_event }
              action: allow
              run_as: "{user_login}"
              batch:
                partitions: [debug]
                accounts: ["ci-{project_id}", "{namespace_path}"]
                qos: [low, normal]
                max_time: 30m
            - name: protected
              issuer: gitlab
              match: { project_path: "hpc/**", ref_protected: "true" }
              action: allow
              run_as: "{user_login}"
              batch:
                partitions: [prod, debug]
            - name: unbounded
              issuer: other
              match: { project_path: "hpc/**" }
              action: allow
        """;

    private static readonly SiteConfig Config = Load();

    private static SiteConfig Load()
    {
        var (config, errors) = ConfigLoader.Parse("/etc/ci-launcher/config.yaml", MemorySite.DefaultYaml(Rules) + "\n" + Batch);
        Assert.Empty(errors);
        return config!;
    }

    private static readonly JsonElement Claims = JsonDocument.Parse("""{"project_id": "4242", "namespace_path": "hpc", "project_path": "hpc/solver"}""").RootElement;

    private static Outcome<Admission> Check(string rule, string? parameters) =>
        BatchAdmission.Check(Config.Executor!.Batch!, Config.Rules.Single(r => r.Name == rule).Batch, Claims, rule, parameters);

    [Theory]
    [InlineData("defaults from the bounds", "merge-requests", null, "--partition=debug --account=ci-4242 --qos=low --time=00:30:00")]
    [InlineData("the second account template", "merge-requests", "-A hpc", "--account=hpc --partition=debug --qos=low --time=00:30:00")]
    [InlineData("within the time", "merge-requests", "-t 29 --qos normal", "--time=29 --qos=normal --partition=debug --account=ci-4242")]
    [InlineData("exactly the time", "merge-requests", "--time=0-0:30:00", "--time=0-0:30:00 --partition=debug --account=ci-4242 --qos=low")]
    [InlineData("first partition is the default", "protected", "-N 2", "--nodes=2 --partition=prod")]
    [InlineData("several allowed partitions", "protected", "-p debug,prod", "--partition=debug,prod")]
    [InlineData("no bounds: as given", "unbounded", "-p anything -A any -t infinite", "--partition=anything --account=any --time=infinite")]
    public void Admits_within_the_bounds_and_fills_in_the_defaults(string name, string rule, string? parameters, string rendered)
    {
        var a = Check(rule, parameters);
        Assert.True(a.Ok, $"{name}: {a}");
        Assert.Equal(rendered, string.Join(' ', a.Value.Options.Select(o => o.Render())));
    }

    [Theory]
    [InlineData("partition", "merge-requests", "-p prod", "batch.partition", "partition 'prod' is not allowed; this rule allows debug")]
    [InlineData("one partition of a list", "protected", "-p prod,gpu", "batch.partition", "partition 'gpu'")]
    [InlineData("account", "merge-requests", "-A physics", "batch.account", "this job may use ci-4242, hpc")]
    [InlineData("qos", "merge-requests", "-q high", "batch.qos", "qos 'high' is not allowed; this rule allows low, normal")]
    [InlineData("time", "merge-requests", "-t 31", "batch.time", "longer than this rule's max_time 00:30:00")]
    [InlineData("unlimited time", "merge-requests", "-t UNLIMITED", "batch.time", "longer than")]
    [InlineData("time that is not a time", "unbounded", "-t soon", "batch.time", "is not a Slurm time")]
    [InlineData("option before bounds", "merge-requests", "-p prod --uid 0", "batch.option_refused", "--uid")]
    [InlineData("split before options", "unbounded", "-p 'debug", "batch.parameters", "SCHEDULER_PARAMETERS has a '")]
    public void Refuses_before_submission_with_its_own_reason(string name, string rule, string parameters, string reason, string detail)
    {
        var a = Check(rule, parameters);
        Assert.False(a.Ok, name);
        Assert.Equal(reason, a.Refusal.Reason);
        Assert.Equal(RefusalKind.Denied, a.Refusal.Kind);
        Assert.Contains(detail, a.Refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_account_template_needing_a_missing_claim_denies()
    {
        var claims = JsonDocument.Parse("""{"namespace_path": "hpc"}""").RootElement;
        var a = BatchAdmission.Check(Config.Executor!.Batch!, Config.Rules.Single(r => r.Name == "merge-requests").Batch, claims, "merge-requests", null);
        Assert.Equal("batch.account", a.Refusal.Reason);
        Assert.Contains("needs claim 'project_id'", a.Refusal.Detail);
    }

    [Fact]
    public void The_trace_names_every_step()
    {
        var lines = new List<string>();
        BatchAdmission.Check(Config.Executor!.Batch!, Config.Rules[0].Batch, Claims, "merge-requests", "-p prod", new ListTrace(lines));
        Assert.Contains(lines, l => l.StartsWith("batch: SCHEDULER_PARAMETERS = ['-p', 'prod']", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("bounds partitions debug (default debug)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("batch: refused: batch.partition", StringComparison.Ordinal));
    }

    private sealed class ListTrace(List<string> lines) : Launcher.Core.Authorization.ITrace
    {
        public void Line(string text) => lines.Add(text);
    }
}

public class BatchConfigTests
{
    private static (SiteConfig? Config, IReadOnlyList<ConfigError> Errors) Parse(string batch, string rules = MemorySite.DefaultRules) =>
        ConfigLoader.Parse("/etc/ci-launcher/config.yaml", MemorySite.DefaultYaml(rules) + "\nexecutor:\n  builds_dir: /b/{user}\n  cache_dir: /c/{user}\n" + batch);

    [Fact]
    public void A_minimal_section_gets_the_documented_defaults()
    {
        var (config, errors) = Parse("  batch:\n    system: slurm\n");
        Assert.Empty(errors);
        var b = config!.Executor!.Batch!;
        Assert.Equal("slurm", b.System.Name);
        Assert.True(b.Covers("step_script") && b.Covers("step_release") && b.Covers("build_script"));
        Assert.False(b.Covers("prepare_script") || b.Covers("get_sources") || b.Covers("after_script") || b.Covers("archive_cache"));
        Assert.Equal("SCHEDULER_PARAMETERS", b.ParametersVariable);
        Assert.Equal(SlurmOptions.DefaultAllowed.ToHashSet(), b.AllowedOptions.ToHashSet());
        Assert.Equal("/usr/bin", b.BinDir);
        Assert.Null(b.SlurmConf);
        Assert.Equal(TimeSpan.FromMilliseconds(500), b.PollInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(200), b.OutputInterval);
        Assert.Null(b.StartTimeout);
        Assert.Null(b.OutputDir);
    }

    [Theory]
    [InlineData("unknown system", "  batch:\n    system: pbs\n", "executor.batch.system", "use slurm")]
    [InlineData("no system", "  batch:\n    stages: [step_script]\n", "executor.batch.system", "is not a batch system")]
    [InlineData("empty stages", "  batch:\n    system: slurm\n    stages: []\n", "executor.batch.stages", "is empty")]
    [InlineData("stage with a slash", "  batch:\n    system: slurm\n    stages: [a/b]\n", "executor.batch.stages[0]", "stage name pattern")]
    [InlineData("bad variable", "  batch:\n    system: slurm\n    parameters_variable: 1X\n", "executor.batch.parameters_variable", "not a variable name")]
    [InlineData("refused option allowed", "  batch:\n    system: slurm\n    allowed_options: [partition, uid]\n", "executor.batch.allowed_options[1]", "--uid can never be allowed")]
    [InlineData("unknown option allowed", "  batch:\n    system: slurm\n    allowed_options: [partitions]\n", "executor.batch.allowed_options[0]", "is not a long option of sbatch")]
    [InlineData("relative bin dir", "  batch:\n    system: slurm\n    bin_dir: bin\n", "executor.batch.bin_dir", "fixed absolute")]
    [InlineData("relative slurm.conf", "  batch:\n    system: slurm\n    slurm_conf: slurm.conf\n", "executor.batch.slurm_conf", "fixed absolute")]
    [InlineData("poll too fast", "  batch:\n    system: slurm\n    poll_interval: 10ms\n", "executor.batch.poll_interval", "from 100ms to 60s")]
    [InlineData("output too slow", "  batch:\n    system: slurm\n    output_interval: 5s\n", "executor.batch.output_interval", "from 20ms to 1s")]
    [InlineData("start timeout", "  batch:\n    system: slurm\n    start_timeout: soon\n", "executor.batch.start_timeout", "not a duration")]
    [InlineData("shared output dir", "  batch:\n    system: slurm\n    output_dir: /scratch/{user}/out\n", "executor.batch.output_dir", "{job_id}")]
    [InlineData("unknown key", "  batch:\n    system: slurm\n    partition: debug\n", "yaml", "unknown key 'partition'")]
    public void Refuses_the_section_with_the_key_and_line(string name, string section, string key, string expected)
    {
        var (config, errors) = Parse(section);
        Assert.Null(config);
        var error = Assert.Single(errors);
        Assert.True(error.Key == key && error.Message.Contains(expected, StringComparison.Ordinal), $"{name}: {error}");
        Assert.True(error.Line > 0, $"{name}: no line number in {error}");
    }

    [Theory]
    [InlineData("deny rule", "action: deny", "batch:\n        partitions: [debug]", "policy.rules[0].batch", "a deny rule admits no job")]
    [InlineData("partition with a comma", "action: allow", "batch:\n        partitions: [\"a,b\"]", "policy.rules[0].batch.partitions[0]", "not a Slurm partition name")]
    [InlineData("account template with unknown claim", "action: allow", "batch:\n        accounts: [\"{projectid}\"]", "policy.rules[0].batch.accounts[0]", "unknown claim '{projectid}'")]
    [InlineData("account template unbalanced", "action: allow", "batch:\n        accounts: [\"ci-{project_id\"]", "policy.rules[0].batch.accounts[0]", "without a matching")]
    [InlineData("max time", "action: allow", "batch:\n        max_time: 10s", "policy.rules[0].batch.max_time", "at least 1m")]
    public void Refuses_bad_rule_bounds(string name, string action, string batch, string key, string expected)
    {
        string rules = $"""
                - name: r
                  issuer: gitlab
                  match: {"{"} project_path: "hpc/**" {"}"}
                  {action}
                  {batch}
            """;
        var (config, errors) = Parse("  batch:\n    system: slurm\n", rules);
        Assert.Null(config);
        Assert.Contains(errors, e => e.Key == key && e.Message.Contains(expected, StringComparison.Ordinal));
        Assert.True(errors.All(e => e.Line > 0), $"{name}: {string.Join("; ", errors)}");
    }
}

/// <summary>The batch part of packaging/config.example.yaml decides what its comments promise.</summary>
public class ExampleBatchTests
{
    private static readonly SiteConfig Config = ConfigLoader.Parse(Tests.Config.ExampleConfigTests.ExamplePath, File.ReadAllText(Tests.Config.ExampleConfigTests.ExamplePath)).Config!;

    private static readonly JsonElement Fork = JsonDocument.Parse("""{"job_project_id": "4242", "project_id": "999", "project_path": "someone/solver"}""").RootElement;

    [Theory]
    [InlineData("protected: prod by default, a day at most", "solver-protected", null, true, "--partition=prod --account=solver --time=1-00:00:00")]
    [InlineData("protected: debug on request", "solver-protected", "-p debug -t 2:00:00 -N 4", true, "--partition=debug --time=2:00:00 --nodes=4 --account=solver")]
    [InlineData("fork MR: debug, per-project account, CI QOS", "solver-fork-mrs", null, true, "--partition=debug --account=ci-4242 --qos=ci --time=00:30:00")]
    [InlineData("fork MR: never prod", "solver-fork-mrs", "-p prod", false, "batch.partition")]
    [InlineData("fork MR: never the project's allocation", "solver-fork-mrs", "-A solver", false, "batch.account")]
    [InlineData("fork MR: half an hour at most", "solver-fork-mrs", "-t 45", false, "batch.time")]
    [InlineData("no one sets the output", "solver-protected", "-o /tmp/x", false, "batch.option_refused")]
    public void Bounds_jobs_as_documented(string name, string rule, string? parameters, bool ok, string expected)
    {
        Assert.NotNull(Config);
        var a = BatchAdmission.Check(Config.Executor!.Batch!, Config.Rules.Single(r => r.Name == rule).Batch, Fork, rule, parameters);
        Assert.True(a.Ok == ok, $"{name}: {a}");
        Assert.Equal(expected, ok ? string.Join(' ', a.Value.Options.Select(o => o.Render())) : a.Refusal.Reason);
    }
}
