using Launcher.Core.Batch;

namespace Launcher.Core.Tests.Batch;

public class SlurmTimeTests
{
    [Theory]
    [InlineData("minutes", "10", 600)]
    [InlineData("minutes:seconds", "10:30", 630)]
    [InlineData("hours:minutes:seconds", "2:00:05", 7205)]
    [InlineData("days-hours", "1-2", 93600)]
    [InlineData("days-hours:minutes", "1-2:30", 95400)]
    [InlineData("days-hours:minutes:seconds", "0-0:0:45", 45)]
    public void Reads_slurm_time_limits(string name, string text, int seconds)
    {
        Assert.True(SlurmTime.TryParse(text, out var limit), name);
        Assert.Equal(TimeSpan.FromSeconds(seconds), limit);
    }

    [Theory]
    [InlineData("infinite")]
    [InlineData("UNLIMITED")]
    [InlineData("-1")]
    public void Unlimited_is_null(string text)
    {
        Assert.True(SlurmTime.TryParse(text, out var limit));
        Assert.Null(limit);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1h")]
    [InlineData("1:2:3:4")]
    [InlineData("1-2:3:4:5")]
    [InlineData("-5")]
    [InlineData("a-1")]
    [InlineData("1::2")]
    public void Refuses_what_slurm_would_not_read(string text) => Assert.False(SlurmTime.TryParse(text, out _));

    [Theory]
    [InlineData(600, "00:10:00")]
    [InlineData(93600, "1-02:00:00")]
    public void Formats_back_exactly(int seconds, string text)
    {
        Assert.Equal(text, SlurmTime.Format(TimeSpan.FromSeconds(seconds)));
        Assert.True(SlurmTime.TryParse(text, out var back));
        Assert.Equal(TimeSpan.FromSeconds(seconds), back);
    }
}

public class SlurmSystemTests
{
    private const string Completed = "JobId=12 JobName=ci-hpc_solver-7-step_script UserId=alice(1001) GroupId=alice(1001) MCS_label=N/A Priority=1 Nice=0 Account=ci-4242 QOS=normal JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=0 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:07 TimeLimit=00:10:00 Partition=debug AllocNode:Sid=localhost:1 NodeList=cn[01-02] BatchHost=cn01 Command=/run/state/7/step_script WorkDir=/scratch/my builds/alice StdOut=/scratch/out";

    [Fact]
    public void Reads_the_fields_of_a_finished_job()
    {
        var s = SlurmSystem.Instance.ParseState(Completed, "12")!;
        Assert.Equal("FAILED", s.State);
        Assert.Equal(BatchPhase.Finished, s.Phase);
        Assert.Equal(3, s.ExitCode);
        Assert.Equal(3, s.ShellStatus);
        Assert.Equal("cn[01-02]", s.Nodes);
        Assert.Equal("debug", s.Partition);
        Assert.Equal("ci-4242", s.Account);
        Assert.Equal("normal", s.Qos);
        Assert.Equal("00:00:07", s.Elapsed);
        Assert.Equal("NonZeroExitCode", s.Reason);
        Assert.Null(SlurmSystem.Instance.ParseState(Completed, "13"));
    }

    [Fact]
    public void A_value_with_spaces_does_not_break_the_next_fields()
    {
        var fields = SlurmSystem.Fields("JobId=1 WorkDir=/a b/c JobState=RUNNING Comment=x y");
        Assert.Equal("/a b/c", fields["WorkDir"]);
        Assert.Equal("RUNNING", fields["JobState"]);
        Assert.Equal("x y", fields["Comment"]);
    }

    [Theory]
    [InlineData("PENDING", "", BatchPhase.Pending)]
    [InlineData("REQUEUE_HOLD", "", BatchPhase.Pending)]
    [InlineData("CONFIGURING", "", BatchPhase.Running)]
    [InlineData("RUNNING", "", BatchPhase.Running)]
    [InlineData("COMPLETING", "", BatchPhase.Running)]
    [InlineData("SUSPENDED", "", BatchPhase.Running)]
    [InlineData("COMPLETED", "", BatchPhase.Finished)]
    [InlineData("FAILED", "NonZeroExitCode", BatchPhase.Finished)]
    [InlineData("FAILED", "JobLaunchFailure", BatchPhase.Ended)]
    [InlineData("TIMEOUT", "", BatchPhase.Ended)]
    [InlineData("NODE_FAIL", "", BatchPhase.Ended)]
    [InlineData("PREEMPTED", "", BatchPhase.Ended)]
    [InlineData("OUT_OF_MEMORY", "", BatchPhase.Ended)]
    [InlineData("BOOT_FAIL", "", BatchPhase.Ended)]
    [InlineData("DEADLINE", "", BatchPhase.Ended)]
    [InlineData("CANCELLED", "", BatchPhase.Ended)]
    [InlineData("A_STATE_FROM_THE_FUTURE", "", BatchPhase.Ended)]
    public void Maps_every_state_to_a_phase(string state, string reason, BatchPhase phase) =>
        Assert.Equal(phase, SlurmSystem.PhaseOf(state, reason));

    [Theory]
    [InlineData("ExitCode=0:9", 137)]
    [InlineData("ExitCode=1:0", 1)]
    [InlineData("ExitCode=0:0", 0)]
    public void A_signal_is_reported_shell_style(string exit, int status) =>
        Assert.Equal(status, SlurmSystem.Instance.ParseState($"JobId=5 JobState=FAILED {exit}", "5")!.ShellStatus);

    [Theory]
    [InlineData("12\n", "12")]
    [InlineData("12;cluster\n", "12")]
    [InlineData("", null)]
    [InlineData("Submitted batch job 12", null)]
    [InlineData("12x", null)]
    public void Reads_the_parsable_job_id(string stdout, string? id) => Assert.Equal(id, SlurmSystem.Instance.ParseSubmitted(stdout));

    [Theory]
    [InlineData("sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)", SubmitFailure.Unavailable)]
    [InlineData("sbatch: fatal: Could not establish a configuration source", SubmitFailure.Unavailable)]
    [InlineData("sbatch: error: invalid partition specified: nosuch\nsbatch: error: Batch job submission failed: Invalid partition name specified", SubmitFailure.Rejected)]
    [InlineData("sbatch: error: Batch job submission failed: Requested node configuration is not available", SubmitFailure.Rejected)]
    public void Tells_a_down_controller_from_a_refusal(string stderr, SubmitFailure failure) =>
        Assert.Equal(failure, SlurmSystem.Instance.ClassifySubmitFailure(stderr));

    [Fact]
    public void Slurms_message_is_one_line_without_prefixes()
    {
        Assert.Equal("invalid partition specified: nosuch; Batch job submission failed: Invalid partition name specified",
            SlurmSystem.Instance.Message("sbatch: error: invalid partition specified: nosuch\nsbatch: error: Batch job submission failed: Invalid partition name specified\n"));
    }

    [Fact]
    public void Submits_with_its_own_options_last_and_the_job_options_rendered()
    {
        var options = OptionChecker.Check(["-p", "debug", "-t", "10"], SlurmOptions.Table, new HashSet<string> { "partition", "time" }).Value;
        var args = SlurmSystem.Instance.SubmitArguments(new BatchSubmission
        {
            Options = options,
            JobName = "ci-x-1-step_script",
            Comment = "https://gitlab.example.org/x/-/jobs/1",
            WorkingDirectory = "/b",
            OutputFile = "/b/.ci-launcher/1/step_script.out",
            ExportNames = ["A", "B"],
            Script = "/run/state/1/step_script",
        });
        Assert.Equal(["--partition=debug", "--time=10", "--parsable", "--no-requeue", "--export=NONE,A,B", "--job-name=ci-x-1-step_script",
            "--comment=https://gitlab.example.org/x/-/jobs/1", "--chdir=/b", "--output=/b/.ci-launcher/1/step_script.out", "--open-mode=truncate", "/run/state/1/step_script"], args);
        Assert.Equal(["--quiet", "12"], SlurmSystem.Instance.CancelArguments("12", "n", "u"));
        Assert.Equal(["--quiet", "--name=n", "--user=u"], SlurmSystem.Instance.CancelArguments(null, "n", "u"));
    }

    [Theory]
    [InlineData("SBATCH_PARTITION", true)]
    [InlineData("SLURM_CONF", true)]
    [InlineData("SRUN_CPUS_PER_TASK", true)]
    [InlineData("CI_JOB_ID", false)]
    public void Knows_the_variables_slurm_reads_as_input(string name, bool input) => Assert.Equal(input, SlurmSystem.Instance.IsInputVariable(name));
}

public class BatchPlanTests
{
    [Fact]
    public void A_plan_and_a_result_survive_the_trip_through_their_files()
    {
        var plan = new BatchPlan
        {
            System = "slurm", BinDir = "/usr/bin", SubmitArguments = ["--partition=debug", "/s"],
            Environment = new Dictionary<string, string> { ["PATH"] = "/usr/bin", ["X"] = "a,b \"c\"" },
            JobName = "ci-x", User = "alice", OutputFile = "/o", ResultFile = "/r",
            PollInterval = TimeSpan.FromMilliseconds(250), OutputInterval = TimeSpan.FromMilliseconds(100),
            StartTimeout = TimeSpan.FromSeconds(2), CancelGrace = TimeSpan.FromSeconds(22),
        };
        var back = BatchPlan.Parse(plan.ToJson()).Value;
        Assert.Equal(plan.SubmitArguments, back.SubmitArguments);
        Assert.Equal("a,b \"c\"", back.Environment["X"]);
        Assert.Equal(plan.StartTimeout, back.StartTimeout);
        Assert.Equal(plan.CancelGrace, back.CancelGrace);
        Assert.False(BatchPlan.Parse(plan.ToJson()[..10]).Ok);

        var result = new BatchResult { Outcome = BatchOutcome.Finished, ExitStatus = 3, JobId = "12", State = "FAILED", Partition = "debug", Elapsed = "00:00:01" };
        var r = BatchResult.Parse(result.ToJson()).Value;
        Assert.Equal(result, r);
    }

    [Theory]
    [InlineData("system failure with a non-batch reason", "{\"outcome\":\"system_failure\",\"exit_status\":1,\"reason\":\"ok\"}")]
    [InlineData("unknown outcome", "{\"outcome\":\"granted\",\"exit_status\":0}")]
    [InlineData("status out of range", "{\"outcome\":\"finished\",\"exit_status\":300}")]
    [InlineData("not json", "exit 0")]
    public void A_result_the_monitor_could_not_have_written_is_refused(string name, string json)
    {
        var parsed = BatchResult.Parse(System.Text.Encoding.UTF8.GetBytes(json));
        Assert.False(parsed.Ok, name);
        Assert.False(string.IsNullOrEmpty(parsed.Refusal.Detail), name);
    }
}
