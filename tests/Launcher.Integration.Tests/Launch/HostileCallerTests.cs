using System.Diagnostics;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Launch;

/// <summary>
/// A caller in the caller group who sets everything a setuid program fears: a preload library,
/// glibc tunables, OpenSSL and proxy variables, BASH_ENV, and the .NET runtime's crash-dump
/// variables plus a crash signal to the running supervisor. None of it may act as root or as
/// the job's user. A fake createdump next to the launcher makes "the runtime acted on the
/// DOTNET_ variables" visible; the control test shows it does when they do reach the runtime.
/// </summary>
[Collection(InstalledSite.Collection)]
public sealed class HostileCallerTests(LaunchSite s) : IClassFixture<LaunchSite>
{
    private const string PreloadSource = """
        #include <fcntl.h>
        #include <stdio.h>
        #include <unistd.h>
        /* Appends "uid euid exe" to MARKER from every process it is loaded into. */
        __attribute__((constructor)) static void mark(void)
        {
            char exe[512];
            ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
            exe[n < 0 ? 0 : n] = 0;
            char line[700];
            int len = snprintf(line, sizeof line, "preload %u %u %s\n", getuid(), geteuid(), exe);
            int fd = open(MARKER, O_WRONLY | O_APPEND);
            if (fd >= 0) { (void)!write(fd, line, len); close(fd); }
        }
        """;

    private sealed record Trap(string Dir, string Marker, Dictionary<string, string> Env);

    /// <summary>A world-writable directory with the marker file, the preload library, BASH_ENV script and a fake createdump.</summary>
    private Trap SetTraps()
    {
        string dir = Path.Combine(s.Dir.Path, "hostile-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, (UnixFileMode)0b1_111_111_111);
        string marker = Path.Combine(dir, "marker");
        File.WriteAllText(marker, "");
        File.SetUnixFileMode(marker, (UnixFileMode)0b110_110_110);
        string lib = s.CompileHelper("evil-" + Path.GetFileName(dir) + ".so", PreloadSource, "-shared", "-fPIC", $"-DMARKER=\"{marker}\"");
        string bashEnv = Path.Combine(dir, "bashenv.sh");
        File.WriteAllText(bashEnv, $"echo \"bash_env $(id -u)\" >> {marker}\n");
        File.SetUnixFileMode(bashEnv, (UnixFileMode)0b111_101_101);
        string createdump = Path.Combine(Path.GetDirectoryName(s.Launcher)!, "createdump");
        File.WriteAllText(createdump, $"#!/bin/sh\necho \"createdump $(id -u) $*\" >> {marker}\n");
        File.SetUnixFileMode(createdump, (UnixFileMode)0b111_101_101);
        return new Trap(dir, marker, new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = lib,
            ["GLIBC_TUNABLES"] = "glibc.malloc.check=3",
            ["SSL_CERT_FILE"] = Path.Combine(dir, "ca.pem"),
            ["SSL_CERT_DIR"] = dir,
            ["https_proxy"] = "http://127.0.0.1:9",
            ["BASH_ENV"] = bashEnv,
            ["ENV"] = bashEnv,
            ["DOTNET_DbgEnableMiniDump"] = "1",
            ["DOTNET_DbgMiniDumpType"] = "4",
            ["DOTNET_DbgMiniDumpName"] = Path.Combine(dir, "dump.%p"),
            ["COMPlus_DbgEnableMiniDump"] = "1",
            ["LANG"] = "../../../../tmp/evil",
            ["TZ"] = "../../../../etc/shadow",
            ["CUSTOM_ENV_SAFE"] = "kept",
        });
    }

    [RootFact]
    public void Hostile_environment_and_a_crash_signal_reach_neither_the_launcher_nor_the_job()
    {
        var site = s.Configure();
        var trap = SetTraps();
        string report = s.ReportOf(s.JobUser);
        LaunchSite.Forget(report);
        string go = Path.Combine(s.Work, s.JobUser, "go");
        LaunchSite.Forget(go);

        var psi = LaunchSite.AsCaller(s.Runner, s.Wrapper,
            ["run", "--token-file", site.TokenFile(s.JobUser), "--", s.Script, "wait"], trap.Env);
        psi.WorkingDirectory = trap.Dir; // where a kernel core dump ("core") of the supervisor would land
        using var supervisor = Process.Start(psi)!;
        s.Accounts.Track(supervisor.Id);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(report) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        var job = new JobReport(report);
        s.Accounts.Track(job.Pid);

        // The running supervisor: set-id root on behalf of the runner, with nothing but PATH, the job
        // variable and the caller's resource limits as the wrapper recorded them.
        uint runner = Accounts.Uid(s.Runner);
        string status = File.ReadAllText($"/proc/{supervisor.Id}/status");
        Assert.Contains($"Uid:\t{runner}\t0\t0\t0", status);
        var environ = File.ReadAllText($"/proc/{supervisor.Id}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["CI_LAUNCHER_CALLER_RLIMITS", "CUSTOM_ENV_SAFE=kept", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
            environ.Select(e => e.StartsWith("CI_LAUNCHER_CALLER_RLIMITS=cpu=", StringComparison.Ordinal) ? "CI_LAUNCHER_CALLER_RLIMITS" : e).Order(StringComparer.Ordinal));

        // The runner may signal its own supervisor (same real uid). SIGFPE is the signal on which the
        // NativeAOT runtime, told so by DOTNET_DbgEnableMiniDump, runs createdump (see the control test).
        var crash = Proc.Run("/usr/bin/setpriv", ["--reuid", s.Runner, "--regid", s.Runner, "--init-groups", "/bin/kill", "-FPE", supervisor.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(0, crash.ExitCode);
        Thread.Sleep(1000);
        File.WriteAllText(go, "");
        Assert.True(supervisor.WaitForExit(TimeSpan.FromSeconds(20)), "the supervisor did not end after its job");

        Assert.Empty(Directory.GetFiles(trap.Dir, "dump*"));
        Assert.Empty(Directory.GetFiles(trap.Dir, "core*"));
        var marks = File.ReadAllLines(trap.Marker);
        Assert.DoesNotContain(marks, m => m.StartsWith("createdump", StringComparison.Ordinal));
        Assert.DoesNotContain(marks, m => m.StartsWith("bash_env", StringComparison.Ordinal));
        Assert.DoesNotContain(marks, m => m.EndsWith(" " + s.Launcher, StringComparison.Ordinal) || m.EndsWith(" " + s.Wrapper, StringComparison.Ordinal));
        Assert.DoesNotContain(marks, m => m.Split(' ')[1] == Accounts.Uid(s.JobUser).ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Control: the preload library did run in the caller's own (unprivileged) processes.
        Assert.Contains(marks, m => m.StartsWith($"preload {runner} {runner} ", StringComparison.Ordinal));

        Assert.DoesNotContain(job.Environment.Keys, k => k is "LD_PRELOAD" or "GLIBC_TUNABLES" or "SSL_CERT_FILE" or "SSL_CERT_DIR" or "https_proxy" or "BASH_ENV" or "ENV" or "TZ"
            || k.StartsWith("DOTNET_", StringComparison.Ordinal) || k.StartsWith("COMPlus_", StringComparison.Ordinal));
        Assert.Equal("kept", job.Environment["CUSTOM_ENV_SAFE"]);
        Assert.False(job.Environment.ContainsKey("LANG"), "an unsafe LANG value must be dropped, not passed");
    }

    [RootFact]
    public void Control_a_launcher_started_with_the_DOTNET_variables_does_run_createdump_on_a_crash()
    {
        var site = s.Configure();
        var trap = SetTraps();
        string report = s.ReportOf(s.JobUser);
        LaunchSite.Forget(report);
        string go = Path.Combine(s.Work, s.JobUser, "go");
        LaunchSite.Forget(go);
        var psi = new ProcessStartInfo(s.Launcher) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "run", "--token-file", site.TokenFile(s.JobUser), "--", s.Script, "wait" }) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/bin:/bin";
        foreach (var k in new[] { "DOTNET_DbgEnableMiniDump", "DOTNET_DbgMiniDumpName", "DOTNET_DbgMiniDumpType" }) psi.Environment[k] = trap.Env[k];
        using var launcher = Process.Start(psi)!;
        s.Accounts.Track(launcher.Id);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(report) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        s.Accounts.Track(new JobReport(report).Pid);
        Proc.Run("/bin/kill", ["-FPE", launcher.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.ReadAllText(trap.Marker).Contains("createdump", StringComparison.Ordinal) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        File.WriteAllText(go, "");
        Assert.True(launcher.WaitForExit(TimeSpan.FromSeconds(20)));
        // Root ran the caller's createdump request, with the caller's dump path: what the wrapper prevents.
        Assert.Contains(File.ReadAllLines(trap.Marker), m => m.StartsWith("createdump 0 --name " + Path.Combine(trap.Dir, "dump.%p"), StringComparison.Ordinal));
    }

    [RootFact]
    public void Output_the_caller_made_unwritable_loses_lines_but_never_aborts_the_launcher()
    {
        var site = s.Configure();
        // Closed fds 0-2 become read-only /dev/null in a set-id process (glibc): every write fails
        // with EBADF. /dev/full fails with ENOSPC. The refusal, and the internal.error written when
        // the refusal could not be, used to throw again: SIGABRT (exit 134) halfway through.
        var closed = Proc.Run(LaunchSite.AsCaller(s.Runner, s.Wrapper,
            ["validate", "--token-file", Path.Combine(s.Dir.Path, "no-such-token")], shellPrefix: "exec <&- >&- 2>&-; "));
        Assert.Equal(1, closed.ExitCode);
        Assert.Equal("token.missing", AuditLog.Records(site.AuditPath).Last().Str("reason"));

        var full = Proc.Run(LaunchSite.AsCaller(s.Runner, s.Wrapper,
            ["validate", "--json", "--token-file", site.TokenFile(s.JobUser)], shellPrefix: "exec >/dev/full 2>/dev/full; "));
        Assert.Equal(0, full.ExitCode);
        Assert.Equal("ok", AuditLog.Records(site.AuditPath).Last().Str("reason"));

        // Only stdout broken: the answer is lost, the exit status still is the decision, and
        // nothing (no internal.error, no stack trace) lands on the working stderr.
        var halfway = Proc.Run(LaunchSite.AsCaller(s.Runner, s.Wrapper,
            ["validate", "--json", "--token-file", site.TokenFile(s.JobUser)], shellPrefix: "exec >/dev/full; "));
        Assert.Equal(0, halfway.ExitCode);
        Assert.Equal("", halfway.Stderr);
    }

    [RootFact]
    public void A_set_id_launcher_refuses_to_run_with_DOTNET_variables()
    {
        var site = s.Configure();
        string setid = s.Installed.SetIdBinary("ci-launcher-setid");

        var r = Proc.Run(LaunchSite.AsCaller(s.Runner, setid,
            ["validate", "--token-file", site.TokenFile(s.JobUser)], new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" }));
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("ci-launcher: env.untrusted: ", r.Stderr);
        Assert.Contains("DOTNET_gcServer", r.Stderr);

        var clean = Proc.Run(LaunchSite.AsCaller(s.Runner, setid, ["--version"]));
        Assert.Equal(0, clean.ExitCode);
    }
}
