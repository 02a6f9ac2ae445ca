using Launcher.Core.Executor;
using Launcher.Core.Paths;
using Launcher.Core.Policy;
using Launcher.Core.Templates;

namespace Launcher.Core.Config;

public static partial class ConfigLoader
{
    private sealed partial class Validator
    {
        private ExecutorSettings? ValidateExecutor(ExecutorConfig e, List<IssuerSettings> issuers)
        {
            int before = Errors.Count;
            var builds = ExecutorTemplate("executor.builds_dir", e.BuildsDir, required: true, perJob: false);
            var cache = ExecutorTemplate("executor.cache_dir", e.CacheDir, required: true, perJob: false);
            var temp = e.TempDir is null ? null : ExecutorTemplate("executor.temp_dir", e.TempDir, required: true, perJob: true);
            if (!IsFixedPath(e.StateDir))
                Error("executor.state_dir", $"'{e.StateDir}' must be a fixed absolute path without placeholders (default /run/ci-launcher/executor)");
            if (e.PrepareHook is not null && !IsFixedPath(e.PrepareHook))
                Error("executor.prepare_hook", $"'{e.PrepareHook}' must be a fixed absolute path to a root-owned script");
            if (e.Hostname is { } host && (host.Length == 0 || host.Length > 253 || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
                Error("executor.hostname", $"'{host}' is not a host name (letters, digits, '-' and '.')");

            var tokenVariables = new HashSet<string>(issuers.Select(i => i.TokenVariable), StringComparer.Ordinal);
            var allow = new List<Glob>();
            for (int i = 0; i < e.EnvAllowlist.Count; i++)
            {
                string name = e.EnvAllowlist[i];
                if (name.Length == 0 || char.IsAsciiDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '*'))
                    Error($"executor.env_allowlist[{i}]", $"'{name}' must be a variable name without the CUSTOM_ENV_ prefix ('*' allowed)");
                // A pattern may cover reserved names; those are dropped when the job starts. A literal reserved name is a mistake.
                else if (!name.Contains('*') && CustomEnvironment.CheckName(name, tokenVariables) is { } reserved)
                    Error($"executor.env_allowlist[{i}]", $"'{name}' {reserved.Detail}; it is never passed to a job");
                else if (Glob.Parse(name) is var glob && glob.Ok) allow.Add(glob.Value);
                else Error($"executor.env_allowlist[{i}]", glob.Refusal.Detail);
            }

            var batch = e.Batch is null ? null : ValidateBatch(e.Batch);

            if (Errors.Count > before) return null;
            return new ExecutorSettings
            {
                BuildsDir = builds!,
                CacheDir = cache!,
                TempDir = temp,
                StateDir = e.StateDir,
                Hostname = e.Hostname,
                EnvAllowlist = allow,
                PrepareHook = e.PrepareHook,
                Batch = batch,
            };
        }

        /// <summary>A path root uses as it is written: clean, absolute, not / itself, no placeholder.</summary>
        private static bool IsFixedPath(string path) => CleanPath.IsClean(path) && path != "/" && !path.Contains('{');

        private PathTemplate? ExecutorTemplate(string key, string source, bool required, bool perJob)
        {
            if (source.Length == 0)
            {
                if (required) Error(key, "is required (e.g. /scratch/ci/{user}/builds/{runner_id})");
                return null;
            }
            var parsed = PathTemplate.Parse(source, Placeholders.Job);
            if (!parsed.Ok)
            {
                Error(key, parsed.Refusal.Detail);
                return null;
            }
            var template = parsed.Value;
            // Without a per-user component two users would share (and could tamper with) one directory.
            if (!template.IsPersonal)
                Error(key, $"'{source}' must contain {{user}} or {{uid}} so that every user gets their own directory");
            if (perJob && !template.Uses("job_id"))
                Error(key, $"'{source}' must contain {{job_id}}; cleanup removes it at the end of the job");
            else if (perJob && template.IsPersonalOnlyAtTheEnd)
                _warnings.Add($"{key} '{source}': the user's own directory is the job's directory itself, whose parent is shared and root's, so cleanup (run as the user) can empty it but not remove it; put {{user}} in a component above {{job_id}} (e.g. /scratch/ci/{{user}}/tmp/{{job_id}})");
            return template;
        }
    }
}
