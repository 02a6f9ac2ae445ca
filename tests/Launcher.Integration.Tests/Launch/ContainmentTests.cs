using System.Diagnostics;
using System.Globalization;
using Launcher.Core.Launch;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Launch;

/// <summary>
/// launch.containment, through the installed setuid wrapper as the runner account: a job's
/// background and setsid'd processes end with it (normal exit and cancel, cgroup and process
/// group), the job user cannot leave its cgroup, a caller cannot pull the job out of it, no
/// cgroup is left behind, and the end record says what was used and how much was killed.
/// </summary>
[Collection(InstalledSite.Collection)]
public sealed class ContainmentTests(LaunchSite s) : IClassFixture<LaunchSite>
{
    /// <summary>The cgroup2 mount of this machine (the tests need it: /sys/fs/cgroup/unified here, /sys/fs/cgroup on RHEL 9).</summary>
    private static readonly string Mount =
        CgroupPaths.FindMount(File.ReadAllText("/proc/self/mountinfo"))?.MountPoint ?? throw new InvalidOperationException("no cgroup2 mount: these tests need cgroup v2");

    /// <summary>
    /// Leaves a plain background sleeper and one in a session of its own (which no process-group
    /// signal reaches), records both pids and its cgroup; with "wait" it then waits for them.
    /// </summary>
    private const string LeaveBehind = """
        setsid sh -c 'echo $$ >> "$PWD/pids"; exec sleep 300' &
        sleep 300 & echo $! >> "$PWD/pids"
        sed -n 's/^0:://p' /proc/$$/cgroup > "$PWD/cgroup"
        while [ "$(wc -l < "$PWD/pids")" -lt 2 ]; do sleep 0.05; done
        echo $$ > "$PWD/leader"
        if [ "$1" = wait ]; then wait; fi
        exit 3
        """;

    private static string? OwnCgroupOf(int pid) => CgroupPaths.OwnCgroup(File.ReadAllText($"/proc/{pid}/cgroup"))?.TrimEnd('\n');

    private string JobFile(string name) => Path.Combine(s.Work, s.JobUser, name);

    private string Script(string name, string text) => s.Dir.Write(name + "-" + Guid.NewGuid().ToString("N")[..6] + ".sh", text, (UnixFileMode)0b110_100_100);

    private void ForgetJobFiles()
    {
        foreach (var f in new[] { "pids", "cgroup", "leader", "escape", "go" }) LaunchSite.Forget(JobFile(f));
    }

    private int[] WaitForPids(int count, Process? supervisor = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((!File.Exists(JobFile("leader")) || File.ReadAllLines(JobFile("pids")).Length < count) && DateTime.UtcNow < deadline)
        {
            if (supervisor is { HasExited: true }) throw new InvalidOperationException($"the launcher ended early: {supervisor.StandardError.ReadToEnd()}");
            Thread.Sleep(50);
        }
        var pids = File.ReadAllLines(JobFile("pids")).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        foreach (int pid in pids) s.Accounts.Track(pid);
        return pids;
    }

    private ProcessStartInfo AsRunner(ConfigSite site, IReadOnlyList<string> scriptAndArgs, string shellPrefix = "") =>
        LaunchSite.AsCaller(s.Runner, s.Wrapper, ["run", "--token-file", site.TokenFile(s.JobUser), "--", .. scriptAndArgs], shellPrefix: shellPrefix);

    private static System.Text.Json.JsonElement EndRecord(ConfigSite site) => Assert.Single(AuditLog.Records(site.AuditPath), a => a.Str("command") == "run.exit");

    [RootTheory]
    [InlineData("cgroup")]
    [InlineData("process_group")]
    public void Background_and_setsid_processes_end_when_the_job_exits(string mode)
    {
        var site = s.Configure($"  containment: {mode}\n");
        ForgetJobFiles();
        var r = Proc.Run(AsRunner(site, [Script("leave", LeaveBehind)]));
        Assert.True(r.ExitCode == 3, $"exit {r.ExitCode}: {r.Stderr}");
        int[] pids = WaitForPids(2);

        foreach (int pid in pids)
            Assert.False(LaunchSite.Alive(pid), $"job process {pid} outlived the job ({mode})");
        var end = EndRecord(site);
        Assert.Equal(mode, end.Str("containment"));
        Assert.Equal("2", end.Str("leftovers_killed"));
        Assert.Equal("", end.Str("containment_note"));

        string cgroup = File.ReadAllText(JobFile("cgroup")).Trim();
        if (mode == "cgroup")
        {
            // Its own cgroup, right below the launcher's (the root cgroup here), and gone now.
            Assert.Matches(@"^/ci-launcher-job\.\d+\.[0-9a-f]{8}$", cgroup);
            Assert.False(Directory.Exists(Mount + cgroup), $"cgroup {cgroup} was left behind");
        }
        else
            Assert.DoesNotContain("ci-launcher-job", cgroup);
    }

    [RootTheory]
    [InlineData("cgroup")]
    [InlineData("process_group")]
    public void A_cancel_ends_even_processes_in_another_session_after_the_grace(string mode)
    {
        var site = s.Configure($"  containment: {mode}\n");
        ForgetJobFiles();
        using var supervisor = Process.Start(AsRunner(site, [Script("cancel", LeaveBehind), "wait"]))!;
        s.Accounts.Track(supervisor.Id);
        int[] pids = WaitForPids(2, supervisor);
        int leader = int.Parse(File.ReadAllText(JobFile("leader")).Trim(), CultureInfo.InvariantCulture);

        var clock = Stopwatch.StartNew();
        Proc.Run("/bin/kill", ["-TERM", supervisor.Id.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(supervisor.WaitForExit(TimeSpan.FromSeconds(20)), "the supervisor did not end after the cancel");
        clock.Stop();

        // The leader and the plain sleeper die of the forwarded SIGTERM; the setsid'd one never gets
        // it and is killed when kill_timeout (3s) has run out.
        Assert.Equal(128 + 15, supervisor.ExitCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(10));
        foreach (int pid in pids.Append(leader))
            Assert.False(LaunchSite.Alive(pid), $"job process {pid} survived the cancel ({mode})");
        var end = EndRecord(site);
        Assert.Equal("true", end.Str("cancelled"));
        Assert.Equal("true", end.Str("killed"));
        Assert.Equal(mode, end.Str("containment"));
        Assert.Equal("1", end.Str("leftovers_killed"));
        if (mode == "cgroup")
            Assert.False(Directory.Exists(Mount + File.ReadAllText(JobFile("cgroup")).Trim()), "the cancelled job's cgroup was left behind");
    }

    [RootTheory]
    [InlineData("cgroup")]
    [InlineData("process_group")]
    public void Signals_the_caller_sends_besides_the_cancels_do_not_end_the_supervisor(string mode)
    {
        var site = s.Configure($"  containment: {mode}\n");
        ForgetJobFiles();
        string script = Script("stray", """
            setsid sh -c 'echo $$ >> "$PWD/pids"; exec sleep 300' &
            sleep 300 & echo $! >> "$PWD/pids"
            while [ "$(wc -l < "$PWD/pids")" -lt 2 ]; do sleep 0.05; done
            sed -n 's/^0:://p' /proc/$$/cgroup > "$PWD/cgroup"
            echo $$ > "$PWD/leader"
            while [ ! -e "$PWD/go" ]; do sleep 0.05; done
            exit 3
            """);
        using var supervisor = Process.Start(AsRunner(site, [script]))!;
        s.Accounts.Track(supervisor.Id);
        int[] pids = WaitForPids(2, supervisor);

        // The runner may signal its own supervisor (same real uid). Each of these ended it without
        // cleanup: the job ran on unsupervised, in a cgroup nobody removed, with no end record.
        foreach (string signal in new[] { "USR1", "USR2", "ALRM", "QUIT", "PROF", "POLL", "SYS", "RTMIN+1" })
        {
            var sent = Proc.Run("/usr/bin/setpriv", ["--reuid", s.Runner, "--regid", s.Runner, "--init-groups", "/bin/kill", "-s", signal,
                supervisor.Id.ToString(CultureInfo.InvariantCulture)]);
            Assert.True(sent.ExitCode == 0, $"kill -s {signal}: {sent.Stderr}");
        }
        Thread.Sleep(500);
        Assert.False(supervisor.HasExited, "a signal ended the supervisor");

        File.WriteAllText(JobFile("go"), "");
        Assert.True(supervisor.WaitForExit(TimeSpan.FromSeconds(20)), "the supervisor did not end after its job");
        Assert.Equal(3, supervisor.ExitCode);
        foreach (int pid in pids)
            Assert.False(LaunchSite.Alive(pid), $"job process {pid} outlived the job ({mode})");
        var end = EndRecord(site);
        Assert.Equal("3", end.Str("exit_status"));
        Assert.Equal("2", end.Str("leftovers_killed"));
        if (mode == "cgroup")
            Assert.False(Directory.Exists(Mount + File.ReadAllText(JobFile("cgroup")).Trim()), "the job's cgroup was left behind");
    }

    [RootFact]
    public void The_job_cannot_leave_its_cgroup_and_a_caller_with_a_delegated_cgroup_cannot_pull_it_out()
    {
        var site = s.Configure("  containment: cgroup\n");
        ForgetJobFiles();
        // What systemd gives a user service (Delegate=yes, user@UID.service): a cgroup the runner owns.
        string delegated = "/cil-test-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(Mount + delegated);
        try
        {
            foreach (var f in new[] { "", "/cgroup.procs", "/cgroup.threads", "/cgroup.subtree_control" })
                Assert.Equal(0, Proc.Run("/bin/chown", [s.Runner, Mount + delegated + f]).ExitCode);
            string release = Path.Combine(s.Dir.Path, "release-" + Guid.NewGuid().ToString("N")[..6]);

            string escape = Script("escape", $$"""
                mnt={{Mount}}
                cg=$(sed -n 's/^0:://p' /proc/$$/cgroup)
                out="$PWD/escape"
                {
                  echo "cgroup $cg"
                  echo "owner $(stat -c '%u %a' "$mnt$cg") procs $(stat -c '%u %a' "$mnt$cg/cgroup.procs") kill $(stat -c '%u %a' "$mnt$cg/cgroup.kill")"
                  (echo $$ > "$mnt/cgroup.procs") 2>/dev/null && echo "to-root moved" || echo "to-root refused"
                  (echo $$ > "$mnt{{delegated}}/cgroup.procs") 2>/dev/null && echo "to-delegated moved" || echo "to-delegated refused"
                  mkdir "$mnt$cg/escape" 2>/dev/null && echo "subgroup made" || echo "subgroup refused"
                  (echo 1 > "$mnt$cg/cgroup.freeze") 2>/dev/null && echo "freeze done" || echo "freeze refused"
                  echo "after $(sed -n 's/^0:://p' /proc/$$/cgroup)"
                } > "$out.tmp"
                mv "$out.tmp" "$out"
                echo $$ > "$PWD/pids"
                echo $$ > "$PWD/leader"
                while [ ! -e "$PWD/go" ]; do sleep 0.05; done
                """);

            // The runner's shell waits until root has moved it into the delegated cgroup, then execs the wrapper.
            var psi = AsRunner(site, [escape], shellPrefix: $"while [ ! -e {release} ]; do sleep 0.05; done; ");
            using var supervisor = Process.Start(psi)!;
            s.Accounts.Track(supervisor.Id);
            File.WriteAllText(Mount + delegated + "/cgroup.procs", supervisor.Id.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(release, "");
            int job = WaitForPids(1, supervisor)[0];
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!File.Exists(JobFile("escape")) && DateTime.UtcNow < deadline) Thread.Sleep(50);
            var report = File.ReadAllLines(JobFile("escape"));

            // Not below the runner's own cgroup (the runner could move the job out of it): under the
            // deepest ancestor only root can write, here the root cgroup.
            Assert.Equal(delegated, OwnCgroupOf(supervisor.Id));
            string cgroup = report[0]["cgroup ".Length..];
            Assert.Matches(@"^/ci-launcher-job\.\d+\.[0-9a-f]{8}$", cgroup);
            Assert.Equal("owner 0 755 procs 0 644 kill 0 200", report[1]);
            Assert.Equal(["to-root refused", "to-delegated refused", "subgroup refused", "freeze refused", $"after {cgroup}"], report[2..]);

            // The runner owns the delegated cgroup, yet cannot move the job (or anything of root's cgroups) into it.
            var pull = Proc.Run("/usr/bin/setpriv", ["--reuid", s.Runner, "--regid", s.Runner, "--init-groups", "/bin/sh", "-c",
                $"echo {job} > {Mount}{delegated}/cgroup.procs"]);
            Assert.NotEqual(0, pull.ExitCode);
            Assert.Equal(cgroup, OwnCgroupOf(job));

            File.WriteAllText(JobFile("go"), "");
            Assert.True(supervisor.WaitForExit(TimeSpan.FromSeconds(20)), "the job did not end");
            Assert.Equal(0, supervisor.ExitCode);
            Assert.False(Directory.Exists(Mount + cgroup), $"cgroup {cgroup} was left behind");
            Assert.Equal("cgroup", EndRecord(site).Str("containment"));
        }
        finally
        {
            // Processes left in it (a failed run) go back to the root cgroup first, so rmdir can work.
            foreach (string pid in File.ReadAllLines(Mount + delegated + "/cgroup.procs"))
                File.WriteAllText(Mount + "/cgroup.procs", pid);
            Directory.Delete(Mount + delegated);
        }
    }

    [RootFact]
    public void Without_the_right_to_make_a_cgroup_auto_falls_back_to_the_process_group_and_cgroup_refuses()
    {
        // downscope none: the job user runs the launcher itself, unprivileged, so it cannot create cgroups.
        string audit = "";
        ConfigSite Configure(string containment)
        {
            var site = s.Configure($"  downscope: none\n  containment: {containment}\n");
            File.WriteAllText(site.AuditPath, "");
            Proc.Run("/bin/chown", [s.JobUser, site.AuditPath]);
            audit = site.AuditPath;
            return site;
        }
        Assert.True(Launcher.Posix.Privileged.UserDirectories.Ensure(LaunchSite.JobDirectory(s.Work, s.JobUser), Accounts.Uid(s.JobUser), Accounts.Gid(s.JobUser)).Ok);

        var site = Configure("auto");
        ForgetJobFiles();
        var auto = Proc.Run(LaunchSite.AsCaller(s.JobUser, s.Launcher,
            ["run", "--token-file", site.TokenFile(s.JobUser), "--", Script("fallback", LeaveBehind)]));
        Assert.True(auto.ExitCode == 3, auto.Stderr);
        foreach (int pid in WaitForPids(2))
            Assert.False(LaunchSite.Alive(pid), $"job process {pid} outlived the job");
        var end = EndRecord(site);
        Assert.Equal("process_group", end.Str("containment"));
        Assert.Equal("2", end.Str("leftovers_killed"));
        Assert.StartsWith("no cgroup: cannot create a job cgroup under ", end.Str("containment_note"));

        site = Configure("cgroup");
        ForgetJobFiles();
        var required = Proc.Run(LaunchSite.AsCaller(s.JobUser, s.Launcher,
            ["run", "--token-file", site.TokenFile(s.JobUser), "--", Script("required", LeaveBehind)]));
        Assert.Equal(125, required.ExitCode);
        string line = Assert.Single(required.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ci-launcher: launch.containment: a cgroup of its own is required for every job (launch.containment: cgroup), but cannot create a job cgroup under ", line);
        Assert.False(File.Exists(JobFile("pids")), "the job ran without its cgroup");
        Assert.Equal("launch.containment", AuditLog.Records(audit).Last().Str("reason"));
    }

    /// <summary>Hides clone3 (ENOSYS, as some container seccomp profiles do), proves it, then execs its arguments.</summary>
    private const string NoClone3 = """
        #include <errno.h>
        #include <linux/audit.h>
        #include <linux/filter.h>
        #include <linux/seccomp.h>
        #include <stddef.h>
        #include <stdio.h>
        #include <sys/prctl.h>
        #include <sys/syscall.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            struct sock_filter f[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            };
            struct sock_fprog prog = { sizeof f / sizeof f[0], f };
            if (argc < 2 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) { perror("seccomp"); return 98; }
            if (syscall(__NR_clone3, NULL, 0) != -1 || errno != ENOSYS) { fprintf(stderr, "clone3 is not hidden\n"); return 99; }
            execv(argv[1], argv + 1);
            perror("execv");
            return 97;
        }
        """;

    [RootFact]
    public void Without_clone3_the_child_joins_its_cgroup_through_cgroup_procs()
    {
        // The child is normally created inside its cgroup (clone3 CLONE_INTO_CGROUP); where clone3
        // is hidden it is forked and joins before anything of the job runs: the same cgroup, the
        // same end. Root runs the launcher directly: a seccomp filter does not survive a setuid exec.
        var site = s.Configure("  containment: cgroup\n");
        ForgetJobFiles();
        string helper = s.CompileHelper("no-clone3", NoClone3);
        var psi = new ProcessStartInfo(helper) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var a in new[] { s.Launcher, "run", "--token-file", site.TokenFile(s.JobUser), "--", Script("noclone3", LeaveBehind) })
            psi.ArgumentList.Add(a);
        var r = Proc.Run(psi);
        Assert.True(r.ExitCode == 3, $"exit {r.ExitCode}: {r.Stderr}");
        foreach (int pid in WaitForPids(2))
            Assert.False(LaunchSite.Alive(pid), $"job process {pid} outlived the job");
        string cgroup = File.ReadAllText(JobFile("cgroup")).Trim();
        Assert.Matches(@"^/ci-launcher-job\.\d+\.[0-9a-f]{8}$", cgroup);
        Assert.False(Directory.Exists(Mount + cgroup), $"cgroup {cgroup} was left behind");
        var end = EndRecord(site);
        Assert.Equal("cgroup", end.Str("containment"));
        Assert.Equal("2", end.Str("leftovers_killed"));
        Assert.Equal("", end.Str("containment_note"));
    }
}
