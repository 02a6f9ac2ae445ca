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

    /// <summary>Rejects <c>***</c> and more, which has no defined meaning.</summary>
    public static bool TryCreate(string pattern, out Glob? glob, out string? error)
    {
        glob = null;
        if (pattern.Contains("***", StringComparison.Ordinal))
        {
            error = $"'{pattern}' contains '***'; use '*' (one segment) or '**' (any segments)";
            return false;
        }
        error = null;
        glob = new Glob(pattern);
        return true;
    }

    public bool IsMatch(string value) => Match(_pattern.AsSpan(), value.AsSpan());

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
