using System.Diagnostics;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Launch;

/// <summary>
/// An installed ci-launcher as a site would have it, in a root-owned temporary directory: a
/// copy of the AOT binary, ci-launcher-suid built for that path and installed 4750
/// root:&lt;caller group&gt;, a config with a launch section, the job script, and test accounts:
/// a runner account in the caller group, a job user with a supplementary group, an outsider,
/// and a system account below min_uid.
/// </summary>
public sealed class LaunchSite : IDisposable
{
    public LaunchSite()
    {
        if (!RootFactAttribute.IsRoot()) return; // every test here is a RootFact and will be skipped
        try
        {
            CallerGroup = Accounts.Group("c");
            ExtraGroup = Accounts.Group("x");
            Runner = Accounts.User("r", [CallerGroup]);
            JobUser = Accounts.User("j", [ExtraGroup]);
            Outsider = Accounts.User("o");
            SystemUser = Accounts.User("s", system: true);

            Launcher = Path.Combine(Dir.Path, "bin", "ci-launcher");
            Directory.CreateDirectory(Path.GetDirectoryName(Launcher)!);
            File.Copy(Dist.CiLauncher, Launcher);
            File.SetUnixFileMode(Launcher, (UnixFileMode)0b111_101_101);
            Wrapper = BuildWrapper(Launcher, Path.Combine(Dir.Path, "bin", "ci-launcher-suid"), CallerGroup, "4750");
            Work = Path.Combine(Dir.Path, "work");
            Directory.CreateDirectory(Work, (UnixFileMode)0b111_101_101);
            Script = Dir.Write("job.sh", JobScript, (UnixFileMode)0b110_100_100);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TestAccounts Accounts { get; } = new();

    /// <summary>The installation: bin/ (binaries), work/ (users' job directories), job.sh.</summary>
    public TrustedDir Dir { get; } = new();

    /// <summary>Key, JWKS, config and audit log of the current <see cref="Configure"/>.</summary>
    public SiteFixture Site { get; private set; } = null!;
    public string CallerGroup { get; } = "";
    public string ExtraGroup { get; } = "";
    public string Runner { get; } = "";
    public string JobUser { get; } = "";
    public string Outsider { get; } = "";
    public string SystemUser { get; } = "";
    public string Launcher { get; } = "";
    public string Wrapper { get; } = "";
    public string Work { get; } = "";
    public string Script { get; } = "";

    /// <summary>Removes a previous test's output, if any (the user's directory may not exist yet).</summary>
    public static void Forget(string path)
    {
        if (File.Exists(path)) File.Delete(path);
    }

    /// <summary>Where the job (run in its workdir, Work/USER) leaves its report.</summary>
    public string ReportOf(string user) => Path.Combine(Work, user, "report");

    /// <summary>
    /// Records what the job is: /proc/self/status lines, umask, cwd, open fds (of a child with no
    /// redirection of its own but the report), environment and arguments. Then, if asked to,
    /// waits for a 'go' file, so a test can look at the running supervisor.
    /// </summary>
    public const string JobScript = """
        out="$PWD/report"
        ls -l /proc/self/fd > "$out.fds"
        {
          echo "== status"; grep -E '^(Uid|Gid|Groups|CapEff|CapPrm|NoNewPrivs):' /proc/self/status
          echo "== umask"; umask
          echo "== cwd"; pwd -P
          echo "== env"; env
          echo "== args"; printf '%s\n' "$@"
          echo "== pid"; echo $$
          echo "== end"
        } > "$out.tmp"
        mv "$out.tmp" "$out"
        if [ "$1" = wait ]; then
          while [ ! -e "$PWD/go" ]; do sleep 0.05; done
        fi
        exit "${2:-0}"
        """;

    /// <summary>
    /// Where the installed binary (Dir/bin/ci-launcher) finds its config: a set-id caller cannot
    /// choose one, so it is PREFIX/etc/ci-launcher/config.yaml of the installation (InstallLayout).
    /// </summary>
    public string InstalledConfig => Path.Combine(Dir.Path, "etc", "ci-launcher", "config.yaml");

    /// <summary>
    /// A fresh config whose launch section is the test default plus <paramref name="launchExtra"/>
    /// (indented keys), installed as the installation's config (<see cref="InstalledConfig"/>).
    /// <paramref name="createDirs"/> are more launch.create_dirs after the job's own Work/{user}.
    /// </summary>
    public SiteFixture Configure(string launchExtra = "", string accounts = "accounts:\n  min_uid: 1000\n", params string[] createDirs)
    {
        Site?.Dispose();
        Site = NewSite(launchExtra, accounts, createDirs);
        Directory.CreateDirectory(Path.GetDirectoryName(InstalledConfig)!);
        File.Copy(Site.ConfigPath, InstalledConfig, overwrite: true);
        return Site;
    }

    private SiteFixture NewSite(string launchExtra, string accounts, string[] createDirs)
    {
        string dirs = string.Concat(createDirs.Select(d => $", \"{d}\""));
        return new SiteFixture(accounts: accounts, extra: $$"""
            launch:
              caller_group: {{CallerGroup}}
              create_dirs: ["{{Work}}/{user}"{{dirs}}]
              workdir: "{{Work}}/{user}"
              env: [LANG, "CUSTOM_ENV_*", KEEP_ME]
              kill_timeout: 3s
            {{launchExtra}}
            """);
    }

    /// <summary>
    /// Runs the wrapper as <paramref name="caller"/>: setpriv drops to the caller's ids and groups,
    /// and a shell of the caller then execs the wrapper (setpriv's own exec is not a plain user's).
    /// <paramref name="shellPrefix"/> runs first in that shell (e.g. to open an fd to inherit).
    /// </summary>
    public static ProcessStartInfo AsCaller(string caller, string program, IEnumerable<string> args,
        IDictionary<string, string>? env = null, string shellPrefix = "")
    {
        var psi = new ProcessStartInfo("/usr/bin/setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--reuid", caller, "--regid", caller, "--init-groups", "/bin/sh", "-c", shellPrefix + "exec \"$0\" \"$@\"", program })
            psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        psi.Environment["LANG"] = "C.UTF-8";
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        return psi;
    }

    /// <summary>Compiles a C test helper (a preload library, an exec helper) into the installation directory.</summary>
    public string CompileHelper(string name, string source, params string[] flags)
    {
        string c = Dir.Write(name + ".c", source);
        string output = Path.Combine(Dir.Path, name);
        var gcc = Proc.Run("/usr/bin/gcc", ["-O2", "-Wall", .. flags, "-o", output, c]);
        if (gcc.ExitCode != 0) throw new InvalidOperationException($"gcc {name} failed: {gcc.Stderr}");
        File.SetUnixFileMode(output, (UnixFileMode)0b111_101_101);
        return output;
    }

    public static ProcResult Run(ProcessStartInfo psi, TimeSpan? timeout = null)
    {
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Close();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} did not finish");
        }
        p.WaitForExit();
        return new ProcResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Builds ci-launcher-suid with build.sh's hardening flags for <paramref name="target"/>, installed root:group with <paramref name="mode"/>.</summary>
    public static string BuildWrapper(string target, string output, string group, string mode)
    {
        var flags = new[]
        {
            "-O2", "-Wall", "-Wextra", "-Werror", "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2", "-fPIE",
            "-fstack-clash-protection", "-fcf-protection", $"-DCI_LAUNCHER_PATH=\"{target}\"", "-o", output,
            Path.Combine(Dist.Repo, "native", "ci-launcher-suid.c"), "-pie", "-Wl,-z,relro", "-Wl,-z,now", "-Wl,-z,noexecstack",
        };
        var gcc = Proc.Run("/usr/bin/gcc", flags);
        if (gcc.ExitCode != 0) throw new InvalidOperationException($"gcc failed: {gcc.Stderr}");
        Proc.Run("/bin/chown", [$"root:{group}", output]);
        Proc.Run("/bin/chmod", [mode, output]);
        return output;
    }

    public void Dispose()
    {
        Site?.Dispose();
        Accounts.Dispose();
        Dir.Dispose();
    }
}
