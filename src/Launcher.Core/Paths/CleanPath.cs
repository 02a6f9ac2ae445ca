using Launcher.Core.Authorization;

namespace Launcher.Core.Paths;

/// <summary>
/// The one check of a path root will walk, create or execute: absolute, every component a real
/// name (not empty, not <c>.</c> or <c>..</c>), no control character. A path that passes names
/// exactly one place and can never climb out of the directory it starts in.
/// </summary>
public static class CleanPath
{
    /// <summary>Null when <paramref name="path"/> is clean; otherwise what is wrong, for the caller to label.</summary>
    public static Refusal? Check(string path)
    {
        string? problem = Problem(path);
        return problem is null ? null : Refusal.Unlabelled(problem);
    }

    public static bool IsClean(string path) => Problem(path) is null;

    /// <summary>
    /// The components of a clean path, from the root down. "Component" is the one word for a
    /// path's parts everywhere (POSIX's "pathname component").
    /// </summary>
    public static string[] Components(string path) =>
        path == "/" ? [] : path[1..].Split('/');

    private static string? Problem(string path)
    {
        if (!path.StartsWith('/')) return "is not absolute";
        if (path.Any(char.IsControl)) return "contains a control character";
        if (path == "/") return null;
        if (path.EndsWith('/')) return "ends with '/'";
        foreach (var component in path[1..].Split('/'))
        {
            if (component.Length == 0) return "has an empty component ('//')";
            if (component is "." or "..") return $"has a '{component}' component";
        }
        return null;
    }
}
