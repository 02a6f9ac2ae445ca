using Launcher.Core.Launch;
using Launcher.Core.Paths;
using Launcher.Core.Policy;
using Launcher.Core.Templates;

namespace Launcher.Core.Config;

public static partial class ConfigLoader
{
    private sealed partial class Validator
    {
        private LaunchSettings? ValidateLaunch(LaunchConfig c, IReadOnlyList<IssuerSettings> issuers)
        {
            int before = Errors.Count;
            if (PosixUserName.Check(c.CallerGroup) is { } badGroup)
                Error("launch.caller_group", $"'{c.CallerGroup}' {badGroup.Detail}; name the group whose members may start jobs (default ci-launcher)");

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

            var workdir = PathTemplate.Parse(c.Workdir, Placeholders.Account);
            if (!workdir.Ok)
                Error("launch.workdir", $"{workdir.Refusal.Detail}; e.g. {{home}} or /scratch/ci/{{user}}");

            if (CleanPath.Check(c.Shell) is not null)
                Error("launch.shell", $"'{c.Shell}' must be a clean absolute path, e.g. /bin/bash");

            // A PATH entry may end in '/' (/usr/local/bin/ names the same directory); it is the job's search path, not a path root walks.
            if (c.Path.Length == 0 || c.Path.Split(':').Any(d => d.Length == 0 || !CleanPath.IsClean(d.Length > 1 ? d.TrimEnd('/') : d)))
                Error("launch.path", $"'{c.Path}' must be a ':'-separated list of absolute directories (an empty entry would mean the current directory)");

            var tokenVariables = issuers.Select(i => i.TokenVariable).ToList();
            for (int i = 0; i < c.Env.Count; i++)
            {
                string pattern = c.Env[i];
                if (EnvironmentNames.CheckPattern(pattern) is { } badPattern)
                    Error($"launch.env[{i}]", badPattern.Detail);
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
                var dir = PathTemplate.Parse(c.CreateDirs[i], Placeholders.Account);
                if (!dir.Ok)
                    Error($"launch.create_dirs[{i}]", $"{dir.Refusal.Detail}; e.g. /scratch/ci/{{user}}");
                // Root creates the user's part of the path (from the first personal component down) owned by the user.
                else if (!dir.Value.IsPersonal)
                    Error($"launch.create_dirs[{i}]", $"'{c.CreateDirs[i]}' names the same directory for every user; include {{user}}, {{uid}} or {{home}}");
                else createDirs.Add(dir.Value);
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

            if (Errors.Count > before) return null;
            return new LaunchSettings
            {
                CallerGroup = c.CallerGroup,
                NoNewPrivs = c.NoNewPrivs,
                Umask = umask,
                Workdir = workdir.Value,
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
}
