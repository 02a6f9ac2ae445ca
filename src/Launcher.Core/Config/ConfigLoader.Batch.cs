using Launcher.Core.Batch;
using Launcher.Core.Executor;
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
                else if (Glob.TryCreate(s, out var g, out string? problem)) stages.Add(g!);
                else Error($"executor.batch.stages[{i}]", problem!);
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

            if (JobPathTemplate.PathProblem(c.BinDir) is not null || c.BinDir.Contains('{'))
                Error("executor.batch.bin_dir", $"'{c.BinDir}' must be a fixed absolute directory (default /usr/bin)");
            if (c.SlurmConf is { } conf)
            {
                if (JobPathTemplate.PathProblem(conf) is not null || conf.Contains('{'))
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

            JobPathTemplate? outputDir = null;
            if (c.OutputDir is { } od)
            {
                outputDir = ExecutorTemplate("executor.batch.output_dir", od, required: true, perJob: true);
            }

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

        private BatchBounds? ValidateBatchBounds(BatchBoundsConfig b, string key, string label, RuleAction action)
        {
            int before = Errors.Count;
            if (action == RuleAction.Deny)
                Error(key, $"{label}: a deny rule admits no job, so it cannot have batch bounds");
            foreach (var (list, values) in new[] { ("partitions", b.Partitions), ("qos", b.Qos) })
                for (int i = 0; i < values.Count; i++)
                    if (values[i].Length == 0 || values[i].Any(ch => char.IsWhiteSpace(ch) || char.IsControl(ch) || ch is ',' or '='))
                        Error($"{key}.{list}[{i}]", $"{label}: '{values[i]}' is not a Slurm {(list == "qos" ? "QOS" : "partition")} name");
            var accounts = new List<RunAsTemplate>();
            for (int i = 0; i < b.Accounts.Count; i++)
            {
                if (!RunAsTemplate.TryParse(b.Accounts[i], out var t, out string? problem))
                {
                    Error($"{key}.accounts[{i}]", $"{label}: {problem}");
                    continue;
                }
                foreach (var claim in t!.ClaimNames)
                    if (!KnownClaims.Names.Contains(claim))
                        Error($"{key}.accounts[{i}]", $"{label}: account template uses unknown claim '{{{claim}}}'");
                if (b.Accounts[i].Any(ch => char.IsWhiteSpace(ch) || char.IsControl(ch) || ch is ',' or '='))
                    Error($"{key}.accounts[{i}]", $"{label}: '{b.Accounts[i]}' is not a Slurm account name");
                accounts.Add(t);
            }
            TimeSpan? maxTime = null;
            if (b.MaxTime is not null)
            {
                if (!Duration.TryParse(b.MaxTime, out var t) || t < TimeSpan.FromMinutes(1))
                    Error($"{key}.max_time", $"{label}: '{b.MaxTime}' is not a duration of at least 1m; write e.g. 30m or 2h");
                else maxTime = t;
            }
            if (Errors.Count > before) return null;
            return new BatchBounds { Partitions = b.Partitions, Accounts = accounts, Qos = b.Qos, MaxTime = maxTime };
        }
    }
}
