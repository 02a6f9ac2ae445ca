using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Launch;

/// <summary>
/// Audit before acting, at the level of the disk: the decision record of a job is fsynced while
/// it is still the file's last line, so before anything after it (the job) happened; the job's
/// end record, which grants nothing, is not synced (it would only hold back the exit status).
/// </summary>
[Collection(InstalledSite.Collection)]
public sealed class AuditDurabilityTests(LaunchSite s) : IClassFixture<LaunchSite>
{
    /// <summary>Logs "fsync INODE SIZE" for every fsync of the process it is preloaded into, then syncs.</summary>
    private const string SyncLogSource = """
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <fcntl.h>
        #include <stdio.h>
        #include <sys/stat.h>
        #include <unistd.h>
        int fsync(int fd)
        {
            int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
            struct stat st;
            int log = open(SYNC_LOG, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
            if (log >= 0 && fstat(fd, &st) == 0) {
                char line[80];
                int n = snprintf(line, sizeof line, "fsync %llu %lld\n", (unsigned long long)st.st_ino, (long long)st.st_size);
                (void)!write(log, line, n);
            }
            if (log >= 0) close(log);
            return real(fd);
        }
        """;

    [RootFact]
    public void The_decision_record_is_synced_before_the_job_and_the_end_record_is_not()
    {
        var site = s.Configure();
        string syncLog = Path.Combine(s.Dir.Path, "sync-" + Guid.NewGuid().ToString("N")[..6] + ".log");
        string lib = s.CompileHelper(Path.GetFileNameWithoutExtension(syncLog) + ".so", SyncLogSource, "-shared", "-fPIC", $"-DSYNC_LOG=\"{syncLog}\"", "-ldl");
        // Root runs the launcher directly: a preload library does not survive the wrapper.
        var r = Proc.Run(s.Launcher, ["run", "--token-file", site.TokenFile(s.JobUser), "--", s.Script], new Dictionary<string, string> { ["LD_PRELOAD"] = lib });
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");

        var lines = File.ReadAllLines(site.AuditPath);
        Assert.Equal(["run", "run.exit"], lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("command").GetString()));
        string inode = Proc.Run("/usr/bin/stat", ["-c", "%i", site.AuditPath]).Stdout.Trim();
        var syncs = File.ReadAllLines(syncLog).Where(l => l.Split(' ')[1] == inode).ToList();
        long decisionBytes = System.Text.Encoding.UTF8.GetByteCount(lines[0]) + 1;
        Assert.Equal([$"fsync {inode} {decisionBytes}"], syncs);
    }
}
