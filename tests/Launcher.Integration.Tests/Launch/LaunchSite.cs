using System.Diagnostics;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Launch;

/// <summary>
/// The launch tests' set-up on the shared installation (<see cref="InstalledSite"/>: the AOT binary,
/// ci-launcher-suid 4750 root:&lt;caller group&gt;, its config slot): test accounts (a runner in the
/// caller group, a job user with a supplementary group, an outsider, a system account below
/// min_uid), and in a root-owned directory of its own the job script and the users' job directories.
/// </summary>
public sealed class LaunchSite : IDisposable
{
    public LaunchSite(InstalledSite installed)
    {
        Installed = installed;
        if (!RootFactAttribute.IsRoot()) return; // every test here is a RootFact and will be skipped
        try
        {
            CallerGroup = installed.CallerGroup;
            ExtraGroup = Accounts.Group("x");
            Runner = Accounts.User("r", [CallerGroup], home: true);
            JobUser = Accounts.User("j", [ExtraGroup], home: true);
            Outsider = Accounts.User("o", home: true);
            SystemUser = Accounts.User("s", home: true, system: true);

            Launcher = installed.Binary;
            Wrapper = installed.Wrapper;
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

    public InstalledSite Installed { get; }

    public Accounts Accounts { get; } = new("cllch");

    /// <summary>work/ (users' job directories), job.sh, and what a test writes for itself.</summary>
    public TrustedDir Dir { get; } = new();

    /// <summary>Key, JWKS, config and audit log of the current <see cref="Configure"/>.</summary>
    public ConfigSite Site { get; private set; } = null!;
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

    /// <summary>&lt;parent&gt;/&lt;user&gt;, of which the user owns only the last component (as create_dirs "&lt;parent&gt;/{user}" expands).</summary>
    public static Launcher.Core.Paths.UserPath JobDirectory(string parent, string user) =>
        new($"{parent}/{user}", parent.Count(c => c == '/'));

    /// <summary>Running (a zombie waiting for its reaper does not count), after at most a second's grace for the reaper.</summary>
    public static bool Alive(int pid)
    {
        for (int i = 0; i < 20; i++)
        {
            string stat;
            try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
            catch (IOException) { return false; }
            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) return false;
            Thread.Sleep(50);
        }
        return true;
    }

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
    /// Where the installed binary finds its config: a set-id caller cannot choose one, so it is
    /// PREFIX/etc/ci-launcher/config.yaml of the installation (InstallLayout).
    /// </summary>
    public string InstalledConfig => Installed.ConfigPath;

    /// <summary>
    /// A fresh config whose launch section is the test default plus <paramref name="launchExtra"/>
    /// (indented keys), installed as the installation's config (<see cref="InstalledConfig"/>).
    /// <paramref name="createDirs"/> are more launch.create_dirs after the job's own Work/{user}.
    /// </summary>
    public ConfigSite Configure(string launchExtra = "", string accounts = "accounts:\n  min_uid: 1000\n", params string[] createDirs)
    {
        Site?.Dispose();
        Site = NewSite(launchExtra, accounts, createDirs);
        Installed.Install(Site.ConfigPath);
        return Site;
    }

    private ConfigSite NewSite(string launchExtra, string accounts, string[] createDirs)
    {
        string dirs = string.Concat(createDirs.Select(d => $", \"{d}\""));
        return new ConfigSite(accounts: accounts, extra: $$"""
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

    /// <summary>Compiles a C test helper (a preload library, an exec helper) into <see cref="Dir"/>.</summary>
    public string CompileHelper(string name, string source, params string[] flags) => TestPrograms.FromText(Dir.Path, name, source, flags);

    public void Dispose()
    {
        Site?.Dispose();
        Accounts.Dispose();
        Dir.Dispose();
    }
}
