using System.Text;

namespace Launcher.Core.Executor;

/// <summary>
/// An absolute directory template such as <c>/scratch/ci/{user}/builds/{runner_id}</c>. Parsed
/// at config load; expanded per job from <see cref="TemplateValues"/> only, and the result is
/// checked segment by segment, because root creates these directories.
/// </summary>
public sealed class JobPathTemplate
{
    private readonly List<(bool IsValue, string Text)> _parts;

    private JobPathTemplate(string source, List<(bool, string)> parts)
    {
        Source = source;
        _parts = parts;
    }

    public string Source { get; }

    public IEnumerable<string> Placeholders => _parts.Where(p => p.IsValue).Select(p => p.Text);

    public bool Uses(string name) => Placeholders.Contains(name, StringComparer.Ordinal);

    public static bool TryParse(string source, out JobPathTemplate? template, out string? error)
    {
        template = null;
        if (!source.StartsWith('/'))
        {
            error = $"'{source}' must be an absolute path";
            return false;
        }
        var parts = new List<(bool, string)>();
        var literal = new StringBuilder();
        for (int i = 0; i < source.Length; i++)
        {
            char c = source[i];
            if (c == '}') { error = $"'{source}' has a '}}' without a matching '{{'"; return false; }
            if (c != '{') { literal.Append(c); continue; }
            int close = source.IndexOf('}', i + 1);
            if (close < 0) { error = $"'{source}' has a '{{' without a matching '}}'"; return false; }
            string name = source[(i + 1)..close];
            if (!TemplateValues.Names.Contains(name))
            {
                error = $"'{source}' uses '{{{name}}}'; the placeholders are {string.Join(", ", TemplateValues.Names.Select(n => "{" + n + "}"))}";
                return false;
            }
            if (literal.Length > 0) { parts.Add((false, literal.ToString())); literal.Clear(); }
            parts.Add((true, name));
            i = close;
        }
        if (literal.Length > 0) parts.Add((false, literal.ToString()));
        // The literal text alone must already be a clean path; a value is then one whole segment or part of one.
        if (PathProblem(string.Concat(parts.Select(p => p.Item1 ? "x" : p.Item2))) is { } problem)
        {
            error = $"'{source}' {problem}";
            return false;
        }
        error = null;
        template = new JobPathTemplate(source, parts);
        return true;
    }

    /// <summary>The expanded path, or null with what was wrong (a missing value or an unsafe result).</summary>
    public string? Expand(TemplateValues values, out string? problem)
    {
        var sb = new StringBuilder();
        foreach (var (isValue, text) in _parts)
        {
            if (!isValue) { sb.Append(text); continue; }
            string? value = values.Get(text);
            if (value is null)
            {
                problem = $"'{Source}' needs {{{text}}}, which this job does not have";
                return null;
            }
            if (value.Length == 0 || value.Contains('/') || value == "." || value == "..")
            {
                problem = $"'{Source}': {{{text}}} is '{value}', which is not a single path segment";
                return null;
            }
            sb.Append(value);
        }
        string path = sb.ToString();
        if (PathProblem(path) is { } bad)
        {
            problem = $"'{Source}' expands to '{path}', which {bad}";
            return null;
        }
        problem = null;
        return path;
    }

    /// <summary>Null when <paramref name="path"/> is absolute with no empty, '.' or '..' segment and no control character.</summary>
    public static string? PathProblem(string path)
    {
        if (!path.StartsWith('/')) return "is not absolute";
        if (path.Length == 1) return "is the root directory";
        if (path.EndsWith('/')) return "ends with '/'";
        if (path.Any(char.IsControl)) return "contains a control character";
        foreach (var segment in path[1..].Split('/'))
        {
            if (segment.Length == 0) return "has an empty segment ('//')";
            if (segment is "." or "..") return $"has a '{segment}' segment";
        }
        return null;
    }
}
