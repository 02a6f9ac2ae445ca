using System.Text;
using System.Text.Json;

namespace Launcher.Core.Policy;

/// <summary>
/// <c>run_as</c>: literal text with <c>{claim}</c> placeholders, e.g. <c>{user_login}</c> or
/// <c>ci-{project_id}</c>. Parsed once at config load; an unbalanced brace is a config error.
/// </summary>
public sealed class RunAsTemplate
{
    private readonly List<(bool IsClaim, string Text)> _parts;

    private RunAsTemplate(string source, List<(bool, string)> parts)
    {
        Source = source;
        _parts = parts;
    }

    public string Source { get; }

    public IEnumerable<string> ClaimNames => _parts.Where(p => p.IsClaim).Select(p => p.Text);

    public bool IsFixed => _parts.All(p => !p.IsClaim);

    public static bool TryParse(string source, out RunAsTemplate? template, out string? error)
    {
        template = null;
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
            if (name.Length == 0 || name.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch == '_' || ch == '-' || ch == '.')))
            {
                error = $"'{source}' has an invalid claim name '{{{name}}}'";
                return false;
            }
            if (literal.Length > 0) { parts.Add((false, literal.ToString())); literal.Clear(); }
            parts.Add((true, name));
            i = close;
        }
        if (literal.Length > 0) parts.Add((false, literal.ToString()));
        if (parts.Count == 0) { error = "is empty"; return false; }
        error = null;
        template = new RunAsTemplate(source, parts);
        return true;
    }

    /// <summary>The expanded name, or null with the claim that was missing or not a scalar.</summary>
    public string? Expand(JsonElement claims, out string? missingClaim)
    {
        var sb = new StringBuilder();
        foreach (var (isClaim, text) in _parts)
        {
            if (!isClaim) { sb.Append(text); continue; }
            string? value = ClaimValues.Scalar(claims, text);
            if (value is null) { missingClaim = text; return null; }
            sb.Append(value);
        }
        missingClaim = null;
        return sb.ToString();
    }
}
