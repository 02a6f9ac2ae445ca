using Launcher.Core.Authorization;

namespace Launcher.Core.Batch;

/// <summary>One accepted option, rendered back in one canonical form (<c>--name=value</c>).</summary>
public sealed record BatchOption(OptionSpec Spec, string? Value)
{
    public string Name => Spec.Name;

    public string Render() => Value is null ? $"--{Spec.Name}" : $"--{Spec.Name}={Value}";
}

/// <summary>
/// Reads a job's submit options the way getopt_long would, and accepts only the site's allowlist.
/// Stricter than getopt where getopt is ambiguous: long options must be written in full (getopt
/// would read <c>--ui=0</c> as <c>--uid=0</c>), each option at most once, no stray words (sbatch
/// would take the first as the batch script), no <c>--</c>. Accepted options are passed on
/// re-rendered as <c>--name=value</c>, never as the author wrote them, so sbatch parses exactly
/// what was checked.
/// </summary>
public static class OptionChecker
{
    public const int MaxValueLength = 1024;

    /// <summary>A job's options after the checks, or the first refusal (a denial: the job author's to fix).</summary>
    public static Outcome<IReadOnlyList<BatchOption>> Check(IReadOnlyList<string> words, OptionTable table, IReadOnlySet<string> allowed)
    {
        var options = new List<BatchOption>();
        for (int i = 0; i < words.Count; i++)
        {
            string word = words[i];
            if (word == "--")
                return Refusal.Denied(Reasons.BatchOptionUnknown, $"'--' is not accepted: {table.Command} would take the word after it as the batch script");
            if (word.StartsWith("--", StringComparison.Ordinal))
            {
                string name = word[2..];
                string? value = null;
                int eq = name.IndexOf('=');
                if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
                var spec = table.ByName(name);
                if (spec is null)
                    return Refusal.Denied(Reasons.BatchOptionUnknown, $"'--{Shown(name)}' is not a {table.Command} option ci-launcher knows (write option names in full; abbreviations are not accepted)");
                if (Gate(spec, table, allowed) is { } refused) return refused;
                if (spec.Value == OptionValue.None && value is not null)
                    return Refusal.Denied(Reasons.BatchOptionUnknown, $"--{name} takes no value, but was given '{Shown(value)}'");
                if (spec.Value == OptionValue.Required && value is null)
                {
                    if (i + 1 >= words.Count) return Refusal.Denied(Reasons.BatchOptionUnknown, $"--{name} needs a value");
                    value = words[++i];
                }
                if (Add(options, spec, value) is { } bad) return bad;
                continue;
            }
            if (word.StartsWith('-') && word.Length > 1)
            {
                // A cluster of short letters, as getopt reads it: -Hv, -pdebug, -p debug.
                for (int k = 1; k < word.Length; k++)
                {
                    char letter = word[k];
                    var spec = table.ByShort(letter);
                    if (spec is null)
                        return Refusal.Denied(Reasons.BatchOptionUnknown, $"'-{Shown(letter.ToString())}' (in '{Shown(word)}') is not a {table.Command} option ci-launcher knows");
                    if (Gate(spec, table, allowed) is { } refused) return refused;
                    if (spec.Value == OptionValue.None)
                    {
                        if (Add(options, spec, null) is { } bad) return bad;
                        continue;
                    }
                    string? value = k + 1 < word.Length ? word[(k + 1)..] : null;
                    if (value is null && spec.Value == OptionValue.Required)
                    {
                        if (i + 1 >= words.Count) return Refusal.Denied(Reasons.BatchOptionUnknown, $"-{letter} (--{spec.Name}) needs a value");
                        value = words[++i];
                    }
                    if (Add(options, spec, value) is { } bad2) return bad2;
                    break;
                }
                continue;
            }
            return Refusal.Denied(Reasons.BatchOptionUnknown, $"'{Shown(word)}' is not an option; {table.Command} would take it as the batch script (every word must be an option or its value)");
        }
        return Outcome.Of<IReadOnlyList<BatchOption>>(options);
    }

    private static Refusal? Gate(OptionSpec spec, OptionTable table, IReadOnlySet<string> allowed)
    {
        string shown = spec.Short is { } s ? $"-{s}/--{spec.Name}" : $"--{spec.Name}";
        if (spec.Refusal is { } why)
            return Refusal.Denied(Reasons.BatchOptionRefused, $"{shown} is never accepted from a job: {why}");
        if (!allowed.Contains(spec.Name))
            return Refusal.Denied(Reasons.BatchOptionNotAllowed, $"{shown} is a {table.Command} option this site does not allow (executor.batch.allowed_options)");
        return null;
    }

    private static Refusal? Add(List<BatchOption> options, OptionSpec spec, string? value)
    {
        if (options.Any(o => o.Spec == spec))
            return Refusal.Denied(Reasons.BatchOptionUnknown, $"--{spec.Name} is given twice; give each option once");
        if (value is not null)
        {
            if (spec.Value == OptionValue.Required && value.Length == 0)
                return Refusal.Denied(Reasons.BatchOptionUnknown, $"--{spec.Name} needs a non-empty value");
            if (value.Length > MaxValueLength)
                return Refusal.Denied(Reasons.BatchOptionUnknown, $"--{spec.Name} has a value of {value.Length} characters, more than {MaxValueLength}");
            if (value.Any(char.IsControl))
                return Refusal.Denied(Reasons.BatchOptionUnknown, $"--{spec.Name} has a control character in its value");
            // getopt would take it as the value; a reader would take it as the next option.
            if (value.StartsWith('-') && spec.Value == OptionValue.Required && value.Length > 1 && !char.IsAsciiDigit(value[1]))
                return Refusal.Denied(Reasons.BatchOptionUnknown, $"--{spec.Name} needs a value, but the next word '{Shown(value)}' looks like an option");
        }
        options.Add(new BatchOption(spec, value));
        return null;
    }

    private static string Shown(string text) => Policy.PolicyEngine.Printable(text);
}
