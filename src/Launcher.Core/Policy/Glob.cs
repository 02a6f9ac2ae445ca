namespace Launcher.Core.Policy;

/// <summary>
/// Claim patterns: <c>*</c> matches within one <c>/</c>-separated segment, <c>**</c> across
/// segments, every other character is literal. So <c>hpc/*</c> matches <c>hpc/app</c> but not
/// <c>hpc-evil/x</c> or <c>hpc/a/b</c>. No character classes, no escapes: less to get wrong.
/// </summary>
public sealed class Glob
{
    private readonly string _pattern;

    private Glob(string pattern) => _pattern = pattern;

    public string Pattern => _pattern;

    public bool IsLiteral => !_pattern.Contains('*');

    /// <summary>
    /// Refuses patterns whose meaning is unclear or dangerous: empty, <c>***</c>, a <c>**</c> that is
    /// not a whole segment (<c>hpc**</c> would match <c>hpc-evil/x</c>, the very mistake segment
    /// globs exist to prevent), and control characters (no claim value a rule means has them).
    /// </summary>
    public static bool TryCreate(string pattern, out Glob? glob, out string? error)
    {
        glob = null;
        if (pattern.Length == 0)
        {
            error = "an empty pattern matches only an empty claim; write the value or remove the claim";
            return false;
        }
        if (pattern.Contains("***", StringComparison.Ordinal))
        {
            error = $"'{pattern}' contains '***'; use '*' (one segment) or '**' (any segments)";
            return false;
        }
        for (int i = pattern.IndexOf("**", StringComparison.Ordinal); i >= 0; i = pattern.IndexOf("**", i + 2, StringComparison.Ordinal))
        {
            bool segmentStart = i == 0 || pattern[i - 1] == '/';
            bool segmentEnd = i + 2 == pattern.Length || pattern[i + 2] == '/';
            if (!segmentStart || !segmentEnd)
            {
                error = $"'{pattern}': '**' must be a whole path segment (e.g. 'group/**'); inside a segment use '*'";
                return false;
            }
        }
        if (pattern.Any(char.IsControl))
        {
            error = $"'{Printable(pattern)}' contains a control character";
            return false;
        }
        error = null;
        glob = new Glob(pattern);
        return true;
    }

    /// <summary>True when the pattern admits any value of its shape (<c>*</c>, <c>**</c>, <c>*/*</c>): it constrains nothing.</summary>
    public bool IsWildcardOnly => _pattern.All(c => c is '*' or '/');

    private static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());

    /// <summary>
    /// A value with a control character never matches: no pattern can contain one, and a '*'
    /// that swallowed a newline would let a forged "second line" ride into logs and traces.
    /// </summary>
    public bool IsMatch(string value) => !value.Any(char.IsControl) && Match(_pattern.AsSpan(), value.AsSpan());

    // Backtracking over at most a few wildcards; patterns come from root-owned config and
    // values are bounded by the 8 KiB token limit, so the worst case stays small.
    private static bool Match(ReadOnlySpan<char> p, ReadOnlySpan<char> v)
    {
        while (!p.IsEmpty)
        {
            if (p[0] == '*')
            {
                bool crossSegments = p.Length > 1 && p[1] == '*';
                var rest = p[(crossSegments ? 2 : 1)..];
                for (int i = 0; i <= v.Length; i++)
                {
                    if (Match(rest, v[i..])) return true;
                    if (i < v.Length && v[i] == '/' && !crossSegments) return false;
                }
                return false;
            }
            if (v.IsEmpty || p[0] != v[0]) return false;
            p = p[1..];
            v = v[1..];
        }
        return v.IsEmpty;
    }
}
