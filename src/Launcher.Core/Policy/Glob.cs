using Launcher.Core.Authorization;

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
    public static Outcome<Glob> Parse(string pattern)
    {
        if (pattern.Length == 0)
            return Refusal.Unlabelled("an empty pattern matches only an empty claim; write the value or remove the claim");
        if (pattern.Contains("***", StringComparison.Ordinal))
            return Refusal.Unlabelled($"'{pattern}' contains '***'; use '*' (one segment) or '**' (any segments)");
        for (int i = pattern.IndexOf("**", StringComparison.Ordinal); i >= 0; i = pattern.IndexOf("**", i + 2, StringComparison.Ordinal))
        {
            bool segmentStart = i == 0 || pattern[i - 1] == '/';
            bool segmentEnd = i + 2 == pattern.Length || pattern[i + 2] == '/';
            if (!segmentStart || !segmentEnd)
                return Refusal.Unlabelled($"'{pattern}': '**' must be a whole path segment (e.g. 'group/**'); inside a segment use '*'");
        }
        if (pattern.Any(char.IsControl))
            return Refusal.Unlabelled($"'{Printable(pattern)}' contains a control character");
        return Outcome.Of(new Glob(pattern));
    }

    /// <summary>True when the pattern admits any value of its shape (<c>*</c>, <c>**</c>, <c>*/*</c>): it constrains nothing.</summary>
    public bool IsWildcardOnly => _pattern.All(c => c is '*' or '/');

    private static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());

    /// <summary>
    /// A value with a control character never matches: no pattern can contain one, and a '*'
    /// that swallowed a newline would let a forged "second line" ride into logs and traces.
    /// </summary>
    public bool IsMatch(string value) => !value.Any(char.IsControl) && Match(_pattern.AsSpan(), value.AsSpan());

    // Dynamic programming over (pattern element, value position), not backtracking: the value
    // is attacker text (up to the 8 KiB token limit), and a pattern with several '**' would let
    // a crafted project path make backtracking take polynomial time of high degree. This is
    // O(pattern length x value length) whatever the input.
    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> value)
    {
        int n = value.Length;
        // next[j]: the rest of the pattern (after the current element) matches value[j..].
        var next = new bool[n + 1];
        var cur = new bool[n + 1];
        next[n] = true;
        int i = pattern.Length;
        while (i > 0)
        {
            bool doubleStar = i >= 2 && pattern[i - 1] == '*' && pattern[i - 2] == '*';
            char c = pattern[i - 1];
            i -= doubleStar ? 2 : 1;
            if (doubleStar)
            {
                cur[n] = next[n];
                for (int j = n - 1; j >= 0; j--) cur[j] = next[j] || cur[j + 1];
            }
            else if (c == '*')
            {
                cur[n] = next[n];
                for (int j = n - 1; j >= 0; j--) cur[j] = next[j] || (value[j] != '/' && cur[j + 1]);
            }
            else
            {
                cur[n] = false;
                for (int j = n - 1; j >= 0; j--) cur[j] = value[j] == c && next[j + 1];
            }
            (next, cur) = (cur, next);
        }
        return next[0];
    }
}
