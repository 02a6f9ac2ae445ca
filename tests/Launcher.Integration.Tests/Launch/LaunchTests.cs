using System.Diagnostics;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Launch;

/// <summary>
/// ci-launcher run through the installed setuid wrapper, as an unprivileged runner account in
/// the caller group: what the job is (ids, groups, capabilities, no_new_privs, umask, cwd, fds,
/// environment), and what the audit trail says.
/// </summary>
[Collection(InstalledSite.Collection)]
public sealed class LaunchTests(LaunchSite s) : IClassFixture<LaunchSite>
{
    private ProcResult RunAsRunner(ConfigSite site, string token, IReadOnlyList<string> scriptAndArgs,
        IDictionary<string, string>? env = null, string shellPrefix = "", string? caller = null) =>
        Proc.Run(LaunchSite.AsCaller(caller ?? s.Runner, s.Wrapper,
            ["run", "--token-file", token, "--", .. scriptAndArgs], env, shellPrefix));

    [RootFact]
    public void Job_runs_as_the_mapped_user_with_exactly_its_ids_groups_umask_cwd_fds_and_environment()
    {
        var site = s.Configure();
        string report = s.ReportOf(s.JobUser);
        LaunchSite.Forget(report);

        // fd 7 is opened by the caller's shell and inherited across both execs: it must not reach the job.
        var r = RunAsRunner(site, site.TokenFile(s.JobUser), [s.Script, "now", "7", "two words"],
            new Dictionary<string, string> { ["CUSTOM_ENV_FOO"] = "bar", ["KEEP_ME"] = "x" }, shellPrefix: "exec 7</etc/hostname; ");

        Assert.True(r.ExitCode == 7, $"exit {r.ExitCode}: {r.Stderr}");
        var job = new JobReport(report);
        uint uid = Accounts.Uid(s.JobUser), gid = Accounts.Gid(s.JobUser), extra = Accounts.GroupGid(s.ExtraGroup);
        Assert.Equal($"{uid} {uid} {uid} {uid}", job.Status("Uid"));
        Assert.Equal($"{gid} {gid} {gid} {gid}", job.Status("Gid"));
        Assert.Equal(string.Join(' ', new[] { gid, extra }.Order()), job.Status("Groups"));
        Assert.Equal("0000000000000000", job.Status("CapEff"));
        Assert.Equal("0000000000000000", job.Status("CapPrm"));
        Assert.Equal("1", job.Status("NoNewPrivs"));
        Assert.Equal(["0077"], job.Section("umask"));
        Assert.Equal([Path.Combine(s.Work, s.JobUser)], job.Section("cwd"));
        Assert.Equal(["now", "7", "two words"], job.Section("args"));

        // 0-2 as the caller gave them, 3 the script itself (exec'd as /proc/self/fd/3), nothing else.
        Assert.Equal([0, 1, 2, 3], job.Fds.Keys.Order());
        Assert.Equal(s.Script, job.Fds[3]);

        var env = job.Environment;
        Assert.Equal(
            new[] { "CUSTOM_ENV_FOO", "HOME", "LANG", "LOGNAME", "PATH", "PWD", "SHELL", "SHLVL", "USER", "_" },
            env.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Accounts.Home(s.JobUser), env["HOME"]);
        Assert.Equal(s.JobUser, env["USER"]);
        Assert.Equal(s.JobUser, env["LOGNAME"]);
        Assert.Equal("/bin/bash", env["SHELL"]);
        Assert.Equal("/usr/local/bin:/usr/bin:/bin", env["PATH"]);
        Assert.Equal("bar", env["CUSTOM_ENV_FOO"]);

        // create_dirs: the job's directory belongs to it, 0700.
        var dir = new DirectoryInfo(Path.Combine(s.Work, s.JobUser));
        Assert.Equal((UnixFileMode)0b111_000_000, dir.UnixFileMode);
        Assert.Equal(uid.ToString(System.Globalization.CultureInfo.InvariantCulture), Proc.Run("/usr/bin/stat", ["-c", "%u", dir.FullName]).Stdout.Trim());

        var audit = AuditLog.Records(site.AuditPath);
        var start = Assert.Single(audit, a => a.Str("command") == "run");
        Assert.Equal("allow", start.Str("decision"));
        Assert.Equal(Accounts.Uid(s.Runner).ToString(System.Globalization.CultureInfo.InvariantCulture), start.Str("caller_uid"));
        Assert.Equal(s.JobUser, start.Str("user"));
        var end = Assert.Single(audit, a => a.Str("command") == "run.exit");
        Assert.Equal("7", end.Str("exit_status"));
    }

    [RootFact]
    public void Root_caller_uses_the_launcher_directly_and_no_new_privs_can_be_switched_off()
    {
        var site = s.Configure("  no_new_privs: false\n  umask: \"027\"\n");
        string report = s.ReportOf(s.JobUser);
        LaunchSite.Forget(report);
        var r = Proc.Run(s.Launcher, ["run", "--token-file", site.TokenFile(s.JobUser), "--", s.Script]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var job = new JobReport(report);
        uint uid = Accounts.Uid(s.JobUser);
        Assert.Equal($"{uid} {uid} {uid} {uid}", job.Status("Uid"));
        Assert.Equal("0", job.Status("NoNewPrivs"));
        Assert.Equal(["0027"], job.Section("umask"));
        Assert.Equal("0", Assert.Single(AuditLog.Records(site.AuditPath), a => a.Str("command") == "run").Str("caller_uid"));
    }

    [RootFact]
    public void Downscope_none_runs_as_the_caller_when_the_token_maps_to_it_and_refuses_any_other_account()
    {
        var site = s.Configure("  downscope: none\n");
        string report = s.ReportOf(s.JobUser);
        LaunchSite.Forget(report);
        // Unprivileged, the launcher can only audit to a file its caller may write.
        File.WriteAllText(site.AuditPath, "");
        Proc.Run("/bin/chown", [s.JobUser, site.AuditPath]);
        // ... and create_dirs only below directories it may write: root prepares the job directory.
        Assert.True(Launcher.Posix.Privileged.UserDirectories.Ensure(LaunchSite.JobDirectory(s.Work, s.JobUser), Accounts.Uid(s.JobUser), Accounts.Gid(s.JobUser)).Ok);
        // Not through the wrapper: the job user itself runs the launcher, unprivileged.
        var self = Proc.Run(LaunchSite.AsCaller(s.JobUser, s.Launcher,
            ["run", "--token-file", site.TokenFile(s.JobUser), "--", s.Script]));
        Assert.True(self.ExitCode == 0, self.Stderr);
        uint uid = Accounts.Uid(s.JobUser);
        Assert.Equal($"{uid} {uid} {uid} {uid}", new JobReport(report).Status("Uid"));

        var other = Proc.Run(LaunchSite.AsCaller(s.JobUser, s.Launcher,
            ["run", "--token-file", site.TokenFile(s.Outsider), "--", s.Script]));
        Assert.Equal(125, other.ExitCode);
        Assert.StartsWith("ci-launcher: launch.downscope_mismatch: ", other.Stderr);
    }

    [RootFact]
    public void Cancel_ends_the_whole_job_process_tree_within_the_grace_period()
    {
        var site = s.Configure();
        string dir = Path.Combine(s.Work, s.JobUser);
        string pids = Path.Combine(dir, "pids");
        LaunchSite.Forget(pids);
        // The job ignores TERM (so do its children, which inherit SIG_IGN) and leaves sleepers behind.
        string script = s.Dir.Write("stubborn.sh", """
            trap '' TERM
            sleep 300 & echo $! >> "$PWD/pids"
            sleep 300 & echo $! >> "$PWD/pids"
            echo $$ >> "$PWD/pids"
            wait
            """, (UnixFileMode)0b110_100_100);
        var psi = LaunchSite.AsCaller(s.Runner, s.Wrapper, ["run", "--token-file", site.TokenFile(s.JobUser), "--", script]);
        using var supervisor = Process.Start(psi)!;
        s.Accounts.Track(supervisor.Id);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((!File.Exists(pids) || File.ReadAllLines(pids).Length < 3) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        int[] jobPids = File.ReadAllLines(pids).Select(int.Parse).ToArray();
        foreach (int pid in jobPids) s.Accounts.Track(pid);

        var clock = Stopwatch.StartNew();
        Proc.Run("/bin/kill", ["-TERM", supervisor.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(supervisor.WaitForExit(TimeSpan.FromSeconds(10)), "the supervisor did not end after kill_timeout");
        clock.Stop();

        Assert.Equal(128 + 9, supervisor.ExitCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(6));
        foreach (int pid in jobPids)
            Assert.False(LaunchSite.Alive(pid), $"job process {pid} survived the cancel");
        var end = Assert.Single(AuditLog.Records(site.AuditPath), a => a.Str("command") == "run.exit");
        Assert.Equal("true", end.Str("cancelled"));
        Assert.Equal("true", end.Str("killed"));
    }

    [RootFact]
    public void The_token_from_the_environment_reaches_the_job_only_with_pass_token()
    {
        string report = s.ReportOf(s.JobUser);
        foreach (bool pass in new[] { false, true })
        {
            var site = s.Configure(pass ? "  pass_token: true\n" : "");
            LaunchSite.Forget(report);
            string token = site.Token(s.JobUser);
            // No --token-file: the token comes from CI_LAUNCHER_ID_TOKEN, which the wrapper keeps.
            var r = Proc.Run(LaunchSite.AsCaller(s.Runner, s.Wrapper, ["run", "--", s.Script],
                new Dictionary<string, string> { ["CI_LAUNCHER_ID_TOKEN"] = token, ["CUSTOM_ENV_CI_LAUNCHER_ID_TOKEN"] = token }));
            Assert.True(r.ExitCode == 0, r.Stderr);
            var env = new JobReport(report).Environment;
            Assert.False(env.ContainsKey("CUSTOM_ENV_CI_LAUNCHER_ID_TOKEN"));
            if (pass) Assert.Equal(token, env["CI_LAUNCHER_ID_TOKEN"]);
            else Assert.DoesNotContain(env.Values, v => v.Contains(token, StringComparison.Ordinal));
        }
    }
}
