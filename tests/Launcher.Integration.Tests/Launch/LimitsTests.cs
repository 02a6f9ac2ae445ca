using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Launch;

/// <summary>
/// Resource limits through the installed setuid wrapper, as the runner account: the privileged
/// part runs with safe limits whatever the caller set, a hard limit it cannot raise is one
/// refusal line, the audit trail stays whole, and the job gets exactly the caller's limits back.
/// </summary>
[Collection(InstalledSite.Collection)]
public sealed class LimitsTests(LaunchSite s) : IClassFixture<LaunchSite>
{
    /// <summary>Writes the job's /proc/self/limits (of bash itself, $$) next to its report.</summary>
    private const string LimitsJob = """
        cat /proc/$$/limits > "$PWD/limits"
        """;

    private string JobFile(string name) => Path.Combine(s.Work, s.JobUser, name);

    private string Script(string name, string text) => s.Dir.Write(name + "-" + Guid.NewGuid().ToString("N")[..6] + ".sh", text, (UnixFileMode)0b110_100_100);

    private ProcResult RunAsRunner(ConfigSite site, string script, string shellPrefix = "", IDictionary<string, string>? env = null) =>
        Proc.Run(LaunchSite.AsCaller(s.Runner, s.Wrapper, ["run", "--token-file", site.TokenFile(s.JobUser), "--", script],
            env, shellPrefix));

    /// <summary>A file the runner may write, for what its shell sees.</summary>
    private string RunnerFile(string name)
    {
        string dir = Path.Combine(s.Dir.Path, "runner-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        Proc.Run("/bin/chown", [s.Runner, dir]);
        return Path.Combine(dir, name);
    }

    [RootFact]
    public void The_job_gets_exactly_the_callers_limits_and_a_forged_record_of_them_is_ignored()
    {
        var site = s.Configure();
        LaunchSite.Forget(JobFile("limits"));
        string callerLimits = RunnerFile("limits");
        // Soft limits the wrapper raises for itself (cpu, fsize, data, stack, nofile, as), one it
        // lowers (core), and a lowered hard limit above the launcher's floor (nofile).
        string prefix = "ulimit -S -t 7200; ulimit -S -f 100000; ulimit -S -d 4000000; ulimit -S -s 4096; ulimit -S -c 1000; "
            + "ulimit -S -n 200; ulimit -H -n 4096; ulimit -S -v 8000000; ulimit -S -p 5000; "
            + $"cat /proc/self/limits > {callerLimits}; ";
        var forged = new Dictionary<string, string>
        {
            ["CI_LAUNCHER_CALLER_RLIMITS"] = "cpu=inf/inf,fsize=inf/inf,data=inf/inf,stack=inf/inf,core=inf/inf,rss=inf/inf,nproc=inf/inf,nofile=5/5,"
                + "memlock=inf/inf,as=inf/inf,locks=inf/inf,sigpending=inf/inf,msgqueue=inf/inf,nice=0/0,rtprio=0/0,rttime=inf/inf",
        };

        var r = RunAsRunner(site, Script("limits", LimitsJob), prefix, forged);

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        string caller = File.ReadAllText(callerLimits);
        Assert.Contains("Max open files            200                  4096", caller); // the prefix took effect
        Assert.Equal(caller, File.ReadAllText(JobFile("limits")));
    }

    [RootFact]
    public void The_privileged_part_runs_with_raised_soft_limits_and_no_core_dumps()
    {
        var site = s.Configure();
        string report = s.ReportOf(s.JobUser);
        LaunchSite.Forget(report);
        LaunchSite.Forget(Path.Combine(s.Work, s.JobUser, "go"));
        using var supervisor = System.Diagnostics.Process.Start(LaunchSite.AsCaller(s.Runner, s.Wrapper,
            ["run", "--token-file", site.TokenFile(s.JobUser), "--", s.Script, "wait"],
            shellPrefix: "ulimit -S -f 1; ulimit -S -n 10; ulimit -S -s 256; ulimit -S -v 4000000; ulimit -S -c 1000; "))!;
        s.Accounts.Track(supervisor.Id);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(report) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        s.Accounts.Track(new JobReport(report).Pid);

        var limits = File.ReadAllLines($"/proc/{supervisor.Id}/limits").ToDictionary(l => l[..26].Trim(), l => l[26..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        File.WriteAllText(Path.Combine(s.Work, s.JobUser, "go"), "");
        Assert.True(supervisor.WaitForExit(TimeSpan.FromSeconds(20)));

        Assert.Equal(["unlimited", "unlimited", "bytes"], limits["Max file size"]);
        Assert.Equal("256", limits["Max open files"][0]);
        Assert.Equal("8388608", limits["Max stack size"][0]);
        Assert.Equal(limits["Max address space"][1], limits["Max address space"][0]);
        Assert.Equal("0", limits["Max core file size"][0]);
    }

    [RootFact]
    public void A_lowered_RLIMIT_FSIZE_never_tears_an_audit_line()
    {
        var site = s.Configure();
        string job = Script("fsize", LimitsJob);
        // Enough audit lines first that the next append lies beyond a 512-byte file size limit.
        var first = RunAsRunner(site, job);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(new FileInfo(site.AuditPath).Length > 1024);

        // A hard limit root cannot raise: refused by the wrapper, in one line, before anything is written.
        LaunchSite.Forget(JobFile("limits"));
        var hard = RunAsRunner(site, job, "ulimit -f 1; ");
        Assert.Equal(125, hard.ExitCode);
        string line = Assert.Single(hard.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("ci-launcher-suid: launch.rlimit: the caller's hard RLIMIT_FSIZE is 512 bytes; ci-launcher needs it unlimited, and root cannot raise "
            + "a hard limit: start the runner with a higher one (ulimit -Hf, LimitFSIZE= or limits.conf)", line);
        Assert.False(File.Exists(JobFile("limits")), "the job ran");

        // A soft limit: the launcher raises it for itself, the job gets the caller's back (and so
        // writes at most 512 bytes: one line of its limits).
        var soft = RunAsRunner(site, Script("fsize-soft", "grep 'Max file size' /proc/$$/limits > \"$PWD/limits\"\n"), "ulimit -S -f 1; ");
        Assert.True(soft.ExitCode == 0, $"exit {soft.ExitCode}: {soft.Stderr}");
        Assert.Equal("Max file size             512                  unlimited            bytes     \n", File.ReadAllText(JobFile("limits")));

        var normal = RunAsRunner(site, job);
        Assert.True(normal.ExitCode == 0, normal.Stderr);

        // Every line parses (AuditLog.Records throws on a torn one): three runs, a record and an end record each.
        var records = AuditLog.Records(site.AuditPath);
        Assert.Equal(6, records.Count);
        Assert.Equal(3, records.Count(r => r.Str("command") == "run.exit" && r.Str("exit_status") == "0"));
    }

    public static TheoryData<string, string, string> HardLimitsBelowTheFloor => new()
    {
        { "ulimit -n 5; ", "RLIMIT_NOFILE is 5 descriptors", "at least 64" },
        { "ulimit -v 262144; ", "RLIMIT_AS is 268435456 bytes", "at least 1073741824" },
        { "ulimit -d 65536; ", "RLIMIT_DATA is 67108864 bytes", "at least 536870912" },
        { "ulimit -s 256; ", "RLIMIT_STACK is 262144 bytes", "at least 1048576" },
        // At the hard limit the kernel SIGKILLs the launcher (at once for 0): it ended without a word.
        { "ulimit -t 5; ", "RLIMIT_CPU is 5 seconds", "at least 10" },
    };

    [RootTheory]
    [MemberData(nameof(HardLimitsBelowTheFloor))]
    public void A_hard_limit_below_what_the_launcher_needs_is_one_refusal_line(string prefix, string seen, string need)
    {
        var site = s.Configure();
        LaunchSite.Forget(JobFile("limits"));
        long auditBefore = File.Exists(site.AuditPath) ? new FileInfo(site.AuditPath).Length : 0;
        var r = RunAsRunner(site, Script("floor", LimitsJob), prefix);
        Assert.Equal(125, r.ExitCode);
        Assert.Equal("", r.Stdout);
        string line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"ci-launcher-suid: launch.rlimit: the caller's hard {seen}; ci-launcher needs it {need}, ", line);
        Assert.False(File.Exists(JobFile("limits")), "the job ran");
        Assert.Equal(auditBefore, File.Exists(site.AuditPath) ? new FileInfo(site.AuditPath).Length : 0);
    }

    [RootFact]
    public void A_caller_whose_descriptor_table_is_full_still_gets_its_job_and_the_job_none_of_them()
    {
        var site = s.Configure();
        LaunchSite.Forget(JobFile("limits"));
        LaunchSite.Forget(JobFile("fds"));
        // The lowest RLIMIT_NOFILE the wrapper accepts, all but one descriptor open (the wrapper's
        // dynamic loader needs one to start at all): the launcher inherited them, and its runtime
        // died of EMFILE with an unhandled exception (exit 134).
        string fill = "exec /bin/bash -c 'ulimit -n 64; for fd in $(seq 3 62); do eval \"exec $fd</dev/null\"; done; exec \"$0\" \"$@\"' \"$0\" \"$@\"; ";
        string script = Script("fullfds", LimitsJob + "\nsh -c 'for f in /proc/$1/fd/*; do echo \"${f##*/} $(readlink $f)\"; done' - $$ > \"$PWD/fds\"\n");
        var r = RunAsRunner(site, script, fill);

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Equal("", r.Stderr);
        Assert.Contains(File.ReadAllLines(JobFile("limits")), l => l.StartsWith("Max open files            64                   64", StringComparison.Ordinal));
        // Above 2 only the script (fd 3, and bash's own copy of it): none of the caller's 60.
        var fds = File.ReadAllLines(JobFile("fds")).Select(l => l.Split(' ', 2)).ToDictionary(f => int.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture), f => f[1]);
        Assert.Equal(script, fds[3]);
        Assert.Equal(5, fds.Count);
        Assert.All(fds.Where(f => f.Key > 2), f => Assert.Equal(script, f.Value));
    }

    [RootFact]
    public void A_set_id_launcher_started_without_the_wrapper_refuses_for_lack_of_the_callers_limits()
    {
        var site = s.Configure();
        string setid = s.Installed.SetIdBinary("ci-launcher-setid-" + Guid.NewGuid().ToString("N")[..6]);
        LaunchSite.Forget(JobFile("limits"));

        var r = Proc.Run(LaunchSite.AsCaller(s.Runner, setid,
            ["run", "--token-file", site.TokenFile(s.JobUser), "--", Script("nowrapper", LimitsJob)]));
        Assert.Equal(2, r.ExitCode);
        string line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ci-launcher: launch.rlimit: CI_LAUNCHER_CALLER_RLIMITS is not set: a set-id ci-launcher must be started through ci-launcher-suid", line);
        Assert.False(File.Exists(JobFile("limits")), "the job ran");
    }

    [RootFact]
    public void Root_with_too_few_descriptors_gets_one_line_instead_of_a_runtime_abort()
    {
        var site = s.Configure();
        var r = Proc.Run("/usr/bin/prlimit", ["--nofile=5", s.Launcher, "run", "--config", site.ConfigPath, "--token-file", site.TokenFile(s.JobUser), "--", s.Script]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("ci-launcher: launch.rlimit: RLIMIT_NOFILE is 5; ci-launcher needs at least 64 open files (ulimit -n 64, or LimitNOFILE= of the service that starts it)\n", r.Stderr);
        Assert.Equal("", r.Stdout);
    }
}
