using Launcher.Core.Authorization;

namespace Launcher.Core.Executor;

/// <summary>
/// The second argument of run_exec. GitLab adds stages over time (build_script became
/// step_script; step_* is open-ended), so any name is accepted, but it becomes a file name in
/// the job's state directory: path characters and dot names are refused.
/// </summary>
public static class StageName
{
    public const int MaxLength = 128;

    /// <summary>Null when <paramref name="name"/> may name a stage; else why not (for the caller to label).</summary>
    public static Refusal? Check(string name)
    {
        if (name.Length == 0) return Refusal.Unlabelled("is empty");
        if (name.Length > MaxLength) return Refusal.Unlabelled($"is longer than {MaxLength} characters");
        if (name is "." or ".." || name[0] == '.') return Refusal.Unlabelled("starts with '.'");
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-' || c == '.'))
                return Refusal.Unlabelled(c == '/' || c == '\\' ? $"contains the path character '{c}'" : $"contains the character U+{(int)c:X4}");
        return null;
    }
}
