using Launcher.Core.Launch;
using Launcher.Core.Policy;

namespace Launcher.Core.Config;

/// <summary>Semantic checks of the <c>launch:</c> section; reports through the loader's keyed error sink.</summary>
internal sealed class LaunchValidator(Action<string, string> error)
{
    /// <summary>The validated settings, or null when an error was reported.</summary>
    public LaunchSettings? Validate(LaunchConfig c, IReadOnlyList<IssuerSettings> issuers)
    {
        bool ok = true;
        void Error(string key, string message)
        {
            ok = false;
            error(key, message);
        }

        if (PosixUserName.Problem(c.CallerGroup) is { } groupProblem)
            Error("launch.caller_group", $"'{c.CallerGroup}' {groupProblem}; name the group whose members may start jobs (default ci-launcher)");

        uint umask = 0;
        if (c.Umask.Length is < 3 or > 4 || !c.Umask.All(ch => ch is >= '0' and <= '7'))
            Error("launch.umask", $"'{c.Umask}' is not an octal umask; write three or four octal digits, e.g. \"077\" (quoted)");
        else
        {
            umask = Convert.ToUInt32(c.Umask, 8);
            if (umask > 0x1FF)
                Error("launch.umask", $"'{c.Umask}' has bits above 0777");
            else if ((umask & 0x2) == 0)
                Error("launch.umask", $"'{c.Umask}' lets jobs create world-writable files; it must include 002 (e.g. 077, 027 or 022)");
        }

        PathTemplate? workdir = null;
        if (!PathTemplate.TryParse(c.Workdir, out workdir, out string? workdirProblem))
            Error("launch.workdir", $"{workdirProblem}; e.g. {{home}} or /scratch/ci/{{user}}");

        if (!c.Shell.StartsWith('/') || PathTemplate.CleanPathProblem(c.Shell) is not null)
            Error("launch.shell", $"'{c.Shell}' must be a clean absolute path, e.g. /bin/bash");

        if (c.Path.Length == 0 || c.Path.Split(':').Any(d => !d.StartsWith('/') || PathTemplate.CleanPathProblem(d) is not null))
            Error("launch.path", $"'{c.Path}' must be a ':'-separated list of absolute directories (an empty entry would mean the current directory)");

        var tokenVariables = issuers.Select(i => i.TokenVariable).ToList();
        for (int i = 0; i < c.Env.Count; i++)
        {
            string pattern = c.Env[i];
            if (EnvironmentNames.PatternProblem(pattern) is { } envProblem)
                Error($"launch.env[{i}]", envProblem);
            // A prefix (CUSTOM_ENV_*) may cover the token variable: it is removed from the job anyway. Naming it exactly is a mistake.
            else if (!c.PassToken && tokenVariables.FirstOrDefault(t => pattern == t || pattern == "CUSTOM_ENV_" + t) is { } tv)
                Error($"launch.env[{i}]", $"'{pattern}' is the token variable of an issuer; the token reaches the job only with launch.pass_token: true");
        }

        TimeSpan killTimeout = TimeSpan.Zero;
        if (!Duration.TryParse(c.KillTimeout, out killTimeout) || killTimeout <= TimeSpan.Zero)
            Error("launch.kill_timeout", $"'{c.KillTimeout}' is not a positive duration; write e.g. 30s");
        else if (killTimeout > TimeSpan.FromHours(1))
            Error("launch.kill_timeout", $"'{c.KillTimeout}' is more than the 1h maximum");

        var createDirs = new List<PathTemplate>();
        for (int i = 0; i < c.CreateDirs.Count; i++)
        {
            if (!PathTemplate.TryParse(c.CreateDirs[i], out var dir, out string? dirProblem))
                Error($"launch.create_dirs[{i}]", $"{dirProblem}; e.g. /scratch/ci/{{user}}");
            else if (!c.CreateDirs[i].Contains("{user}", StringComparison.Ordinal) && !c.CreateDirs[i].Contains("{uid}", StringComparison.Ordinal)
                && !c.CreateDirs[i].Contains("{home}", StringComparison.Ordinal))
                Error($"launch.create_dirs[{i}]", $"'{c.CreateDirs[i]}' names the same directory for every user; include {{user}}, {{uid}} or {{home}}");
            else createDirs.Add(dir!);
        }

        Downscope downscope = Downscope.Setuid;
        if (c.Downscope == "none") downscope = Downscope.None;
        else if (c.Downscope != "setuid")
            Error("launch.downscope", $"'{c.Downscope}' must be 'setuid' (drop root to the mapped account) or 'none' (run as the caller, who must be the mapped account)");

        Containment containment = Containment.Auto;
        switch (c.Containment)
        {
            case "auto": break;
            case "cgroup": containment = Containment.Cgroup; break;
            case "process_group": containment = Containment.ProcessGroup; break;
            default:
                Error("launch.containment", $"'{c.Containment}' must be 'auto' (a cgroup per job when cgroup v2 is usable, else the process group), 'cgroup' (no job without its own cgroup) or 'process_group'");
                break;
        }

        if (!ok) return null;
        return new LaunchSettings
        {
            CallerGroup = c.CallerGroup,
            NoNewPrivs = c.NoNewPrivs,
            Umask = umask,
            Workdir = workdir!,
            Shell = c.Shell,
            Path = c.Path,
            Env = c.Env,
            PassToken = c.PassToken,
            KillTimeout = killTimeout,
            CreateDirs = createDirs,
            Downscope = downscope,
            Containment = containment,
        };
    }
}
