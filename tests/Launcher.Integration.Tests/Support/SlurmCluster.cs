namespace Launcher.Integration.Tests.Support;

/// <summary>
/// A real one-node Slurm (munged, slurmctld, slurmd from Debian's packages) started once for
/// every test of the "slurm" collection by tests/slurm/cluster.sh, with its own munge key,
/// ports and state under /run; stopped (by pid) and removed when the collection is done.
/// Partitions: debug (default), prod, and hold (DOWN: a job there never starts).
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    public SlurmCluster()
    {
        if (!RootFactAttribute.IsRoot()) return;
        Dir = $"/run/ci-launcher-slurm-{Guid.NewGuid():N}"[..34];
        var r = Proc.Run("bash", [Script, "start", Dir], timeout: TimeSpan.FromSeconds(60));
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"the test Slurm did not start: {r.Stderr.Trim()}");
        SlurmConf = Path.Combine(Dir, "slurm.conf");
        Binary = new InstalledLauncher();
    }

    public static string Script => Path.Combine(Dist.Repo, "tests", "slurm", "cluster.sh");

    public string Dir { get; } = "";
    public string SlurmConf { get; } = "";

    /// <summary>ci-launcher installed where job users can execute it (the monitor runs as them).</summary>
    public InstalledLauncher Binary { get; } = null!;

    /// <summary>executor.batch for the tests: this cluster, fast polling, plus <paramref name="extra"/> keys.</summary>
    public string BatchYaml(string extra = "") => $"""
          batch:
            system: slurm
            slurm_conf: {SlurmConf}
            poll_interval: 250ms
            output_interval: 100ms
        {extra}
        """;

    /// <summary>
    /// Every job Slurm remembers (any user, any state) of CI job <paramref name="ciJobId"/>: batch
    /// stages are named ci-&lt;project&gt;-&lt;CI job id&gt;-&lt;stage&gt;. By name, not by user: a
    /// deleted test user's uid is handed to the next one, and Slurm lists by uid.
    /// </summary>
    public IReadOnlyList<string> JobsOf(long ciJobId) =>
        Root("squeue", ["-h", "--states=all", "-o", "%i %T %j"]).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(j => j.EndsWith($"-{ciJobId.ToString(System.Globalization.CultureInfo.InvariantCulture)}-step_script", StringComparison.Ordinal)).ToList();

    /// <summary>Jobs of <paramref name="user"/> still pending, running or completing.</summary>
    public IReadOnlyList<string> ActiveJobs(string user) =>
        Root("squeue", ["-h", "-u", user, "-t", "PENDING,RUNNING,COMPLETING,CONFIGURING,SUSPENDED", "-o", "%i %T %j"]).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Cancels whatever Slurm still has of uid <paramref name="uid"/> (after a failed test).</summary>
    public void CancelJobsOf(uint uid)
    {
        if (Dir.Length > 0)
            Proc.Run("scancel", ["--quiet", "-u", uid.ToString(System.Globalization.CultureInfo.InvariantCulture)], new Dictionary<string, string> { ["SLURM_CONF"] = SlurmConf });
    }

    /// <summary>A Slurm client command as root against this cluster.</summary>
    public string Root(string command, IEnumerable<string> args)
    {
        var r = Proc.Run(command, args, new Dictionary<string, string> { ["SLURM_CONF"] = SlurmConf });
        if (r.ExitCode != 0) throw new InvalidOperationException($"{command} {string.Join(' ', args)}: {r.Stderr}");
        return r.Stdout;
    }

    /// <summary>A copy of slurm.conf whose controller port nobody listens on: to its clients, slurmctld is down.</summary>
    public string DeadControllerConf()
    {
        string path = Path.Combine(Dir, $"dead-{Guid.NewGuid():N}.conf");
        using var unused = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        unused.Start();
        int port = ((System.Net.IPEndPoint)unused.LocalEndpoint).Port;
        unused.Stop();
        var lines = File.ReadAllLines(SlurmConf)
            .Select(l => l.StartsWith("SlurmctldPort=", StringComparison.Ordinal) ? $"SlurmctldPort={port}" : l)
            .Select(l => l.StartsWith("MessageTimeout=", StringComparison.Ordinal) ? "MessageTimeout=2" : l);
        File.WriteAllLines(path, lines);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        return path;
    }

    public void Dispose()
    {
        Binary?.Dispose();
        if (Dir.Length > 0) Proc.Run("bash", [Script, "stop", Dir], timeout: TimeSpan.FromSeconds(60));
    }
}

/// <summary>
/// The Slurm tests run one at a time against one cluster. A collection has one set of fixtures, so
/// the unprivileged-runner batch test gets an installation of its own here (the second one of a
/// run; the other test classes share the installed-site collection's).
/// </summary>
[CollectionDefinition("slurm")]
public sealed class SlurmCollection : ICollectionFixture<SlurmCluster>, ICollectionFixture<InstalledSite>
{
}

/// <summary>
/// The published ci-launcher copied to PREFIX/bin/ci-launcher under a root-owned 0755 directory,
/// so that any user may execute it: a batch stage starts its monitor, as the job's user, from the
/// path of the running binary (dist/ may sit in a directory job users cannot enter).
/// </summary>
public sealed class InstalledLauncher : IDisposable
{
    private readonly TrustedDir _prefix = new();

    public InstalledLauncher()
    {
        Directory.CreateDirectory(Path.Combine(_prefix.Path, "bin"), (UnixFileMode)0b111_101_101);
        Executable = Path.Combine(_prefix.Path, "bin", "ci-launcher");
        File.Copy(Dist.CiLauncher, Executable);
        File.SetUnixFileMode(Executable, (UnixFileMode)0b111_101_101);
    }

    public string Prefix => _prefix.Path;

    public string Executable { get; }

    public void Dispose() => _prefix.Dispose();
}
