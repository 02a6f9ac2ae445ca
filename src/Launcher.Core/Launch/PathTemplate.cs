using System.Globalization;
using System.Text;
using Launcher.Core.Accounts;

namespace Launcher.Core.Launch;

/// <summary>
/// A directory template over the account: <c>{user}</c>, <c>{uid}</c>, <c>{gid}</c>, <c>{home}</c>
/// (e.g. <c>/scratch/ci/{user}</c>). The expansion must be a clean absolute path: no <c>.</c> or
/// <c>..</c> component, so a template can never climb out of the directory it names.
/// </summary>
public sealed class PathTemplate
{
    private static readonly string[] Placeholders = ["user", "uid", "gid", "home"];
    private readonly IReadOnlyList<(bool IsPlaceholder, string Text)> _parts;

    private PathTemplate(string source, IReadOnlyList<(bool, string)> parts)
    {
        Source = source;
        _parts = parts;
    }

    public string Source { get; }

    public static PathTemplate Home { get; } = new("{home}", [(true, "home")]);

    public static bool TryParse(string source, out PathTemplate? template, out string? problem)
    {
        template = null;
        var parts = new List<(bool, string)>();
        int i = 0;
        while (i < source.Length)
        {
            int open = source.IndexOf('{', i);
            int close = source.IndexOf('}', i);
            if (close >= 0 && (open < 0 || close < open))
            {
                problem = $"'{source}' has a '}}' without a '{{'";
                return false;
            }
            if (open < 0)
            {
                parts.Add((false, source[i..]));
                break;
            }
            if (open > i) parts.Add((false, source[i..open]));
            close = source.IndexOf('}', open);
            if (close < 0)
            {
                problem = $"'{source}' has a '{{' without a '}}'";
                return false;
            }
            string name = source[(open + 1)..close];
            if (!Placeholders.Contains(name))
            {
                problem = $"'{source}' uses unknown placeholder '{{{name}}}' (known: {{user}}, {{uid}}, {{gid}}, {{home}})";
                return false;
            }
            parts.Add((true, name));
            i = close + 1;
        }
        if (source.Length == 0 || !(source.StartsWith('/') || source.StartsWith("{home}", StringComparison.Ordinal)))
        {
            problem = $"'{source}' must be an absolute path or start with {{home}}";
            return false;
        }
        string? bad = source.Contains('\0') ? "contains a NUL byte" : CleanPathProblem(source);
        if (bad is not null)
        {
            problem = $"'{source}' {bad}";
            return false;
        }
        template = new PathTemplate(source, parts);
        problem = null;
        return true;
    }

    /// <summary>The path for <paramref name="account"/>, or null with the reason (e.g. a home directory that is not absolute).</summary>
    public string? Expand(Account account, out string? problem)
    {
        var sb = new StringBuilder();
        foreach (var (isPlaceholder, text) in _parts)
        {
            if (!isPlaceholder)
            {
                sb.Append(text);
                continue;
            }
            sb.Append(text switch
            {
                "user" => account.Name,
                "uid" => account.Uid.ToString(CultureInfo.InvariantCulture),
                "gid" => account.Gid.ToString(CultureInfo.InvariantCulture),
                _ => account.Home.TrimEnd('/'),
            });
        }
        string path = sb.ToString();
        if (path.Length == 0 || !path.StartsWith('/') || path.Contains('\0') || CleanPathProblem(path) is not null)
        {
            problem = $"template '{Source}' gives '{path}' for user '{account.Name}', which is not a clean absolute path";
            return null;
        }
        problem = null;
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    /// <summary>Null when every component is a real name; otherwise what is wrong.</summary>
    public static string? CleanPathProblem(string path)
    {
        foreach (var component in path.Split('/').Skip(1))
        {
            if (component is "." or "..") return $"has a '{component}' component";
        }
        if (path.Contains("//", StringComparison.Ordinal)) return "has an empty component ('//')";
        return null;
    }

    public override string ToString() => Source;
}
