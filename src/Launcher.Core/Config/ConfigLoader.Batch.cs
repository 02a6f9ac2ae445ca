using Launcher.Core.Batch;
using Launcher.Core.Policy;

namespace Launcher.Core.Config;

public static partial class ConfigLoader
{
    private sealed partial class Validator
    {
        private BatchSettings? ValidateBatch(BatchConfig c)
        {
            int before = Errors.Count;
            var system = BatchSystems.Find(c.System);
            if (system is null)
                Error("executor.batch.system", $"'{c.System}' is not a batch system ci-launcher drives; use {string.Join(", ", BatchSystems.All.Select(s => s.Name))}");

            var stages = new List<Glob>();
            if (c.Stages.Count == 0)
                Error("executor.batch.stages", "is empty; list the run_exec stages that become batch jobs (default [step_*, build_script]) or remove executor.batch");
            for (int i = 0; i < c.Stages.Count; i++)
            {
                string s = c.Stages[i];
                if (s.Length == 0 || s.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-' or '.' or '*')))
                    Error($"executor.batch.stages[{i}]", $"'{s}' is not a stage name pattern (letters, digits, '_', '-', '.', and '*')");
                else if (Glob.Parse(s) is var glob && glob.Ok) stages.Add(glob.Value);
                else Error($"executor.batch.stages[{i}]", glob.Refusal.Detail);
            }

            if (c.ParametersVariable.Length == 0 || char.IsAsciiDigit(c.ParametersVariable[0]) || !c.ParametersVariable.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
                Error("executor.batch.parameters_variable", $"'{c.ParametersVariable}' is not a variable name (without the CUSTOM_ENV_ prefix; default SCHEDULER_PARAMETERS)");

            var allowed = new HashSet<string>(StringComparer.Ordinal);
            if (system is not null)
            {
                var names = c.AllowedOptions.Count > 0 ? c.AllowedOptions : system.DefaultAllowedOptions;
                for (int i = 0; i < c.AllowedOptions.Count; i++)
                {
                    string name = c.AllowedOptions[i];
                    var spec = system.Options.ByName(name.TrimStart('-'));
                    if (spec is null)
                        Error($"executor.batch.allowed_options[{i}]", $"'{name}' is not a long option of {system.SubmitCommand} that ci-launcher knows (write it without dashes, e.g. partition)");
                    else if (spec.Refusal is { } why)
                        Error($"executor.batch.allowed_options[{i}]", $"--{spec.Name} can never be allowed: {why}");
                }
                foreach (var n in names) allowed.Add(n.TrimStart('-'));
            }

            if (!IsFixedPath(c.BinDir))
                Error("executor.batch.bin_dir", $"'{c.BinDir}' must be a fixed absolute directory (default /usr/bin)");
            if (c.SlurmConf is { } conf)
            {
                if (!IsFixedPath(conf))
                    Error("executor.batch.slurm_conf", $"'{conf}' must be a fixed absolute path");
                else if (system is not null && system.Name != "slurm")
                    Error("executor.batch.slurm_conf", $"is a Slurm setting, but executor.batch.system is '{system.Name}'");
            }

            var poll = BatchDuration("executor.batch.poll_interval", c.PollInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(60), "500ms");
            var output = BatchDuration("executor.batch.output_interval", c.OutputInterval, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(1), "200ms");
            TimeSpan? start = null;
            if (c.StartTimeout != "0")
            {
                if (!Duration.TryParse(c.StartTimeout, out var t) || t <= TimeSpan.Zero)
                    Error("executor.batch.start_timeout", $"'{c.StartTimeout}' is not a duration; write e.g. 2h, or 0 for no limit (the CI job's timeout still applies)");
                else start = t;
            }

            var outputDir = c.OutputDir is { } od ? ExecutorTemplate("executor.batch.output_dir", od, required: true, perJob: true) : null;

            if (Errors.Count > before) return null;
            return new BatchSettings
            {
                System = system!,
                Stages = stages,
                ParametersVariable = c.ParametersVariable,
                AllowedOptions = allowed,
                BinDir = c.BinDir,
                SlurmConf = c.SlurmConf,
                PollInterval = poll,
                OutputInterval = output,
                StartTimeout = start,
                OutputDir = outputDir,
            };
        }

        private TimeSpan BatchDuration(string key, string text, TimeSpan min, TimeSpan max, string example)
        {
            if (!Duration.TryParse(text, out var value) || value < min || value > max)
            {
                Error(key, $"'{text}' is not a duration from {Duration.Format(min)} to {Duration.Format(max)} (default {example})");
                return min;
            }
            return value;
        }
    }
}
