using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Paths;

namespace Launcher.Core.Templates;

/// <summary>
/// A directory template (<c>/scratch/ci/{user}/builds/{runner_id}</c>, <c>{home}/.ci</c>) over the
/// <see cref="Placeholders"/> of its use. Root creates and enters these directories, so the
/// template is checked at config load and the expansion again per job: a clean absolute path
/// (<see cref="CleanPath"/>), each placeholder value exactly one component (the whole-path one,
/// <c>{home}</c>, a clean absolute path at the start), so no value can climb out of the directory
/// the site wrote. The expansion says where the user's own components begin (<see cref="UserPath"/>).
/// </summary>
public sealed class PathTemplate
{
    private PathTemplate(Template template) => Template = template;

    public Template Template { get; }
    public string Source => Template.Source;

    public bool Uses(string name) => Template.Uses(name);

    /// <summary>Whether some component is the user's own (made from a personal placeholder).</summary>
    public bool IsPersonal => Template.Names.Any(Template.Known.Personal.Contains);

    /// <summary>
    /// Whether the only personal component is the last one (<c>/scratch/ci/{user}-{job_id}</c>):
    /// its parent is then shared and root's, so the user can empty the directory but not remove it.
    /// </summary>
    public bool IsPersonalOnlyAtTheEnd
    {
        get
        {
            // Placeholders never contain '/', so the template's components are its source's.
            var components = Source.Split('/');
            int first = Array.FindIndex(components, c => Template.Known.Personal.Any(p => c.Contains($"{{{p}}}", StringComparison.Ordinal)));
            return first == components.Length - 1 && !(Template.Known.WholePath is { } w && components[0] == $"{{{w}}}");
        }
    }

    /// <summary>The launch default: the account's home directory.</summary>
    public static PathTemplate Home { get; } = Parse("{home}", Placeholders.Account).Value;

    public static Outcome<PathTemplate> Parse(string source, Placeholders known)
    {
        var parsed = Template.Parse(source, known);
        if (!parsed.Ok) return parsed.Refusal;
        var template = parsed.Value;
        var parts = template.Parts;
        bool wholePathFirst = parts[0].IsPlaceholder && parts[0].Text == known.WholePath;
        if (!source.StartsWith('/') && !wholePathFirst)
            return Refusal.Unlabelled($"'{source}' must be an absolute path{(known.WholePath is { } w ? $" or start with {{{w}}}" : "")}");
        if (parts.Skip(1).FirstOrDefault(p => p.IsPlaceholder && p.Text == known.WholePath) is { } inner)
            return Refusal.Unlabelled($"'{source}' uses {{{inner.Text}}} after its start; it stands for a whole path");
        // The literal text must already be clean with one stand-in component per placeholder; a
        // value then adds exactly one component or part of one, and the expansion is checked again.
        string skeleton = string.Concat(parts.Select((p, i) => !p.IsPlaceholder ? p.Text : i == 0 && wholePathFirst ? "/x" : "x"));
        if (skeleton == "/") return Refusal.Unlabelled($"'{source}' is the root directory");
        if (CleanPath.Check(skeleton) is { } unclean) return Refusal.Unlabelled($"'{source}' {unclean.Detail}");
        return Outcome.Of(new PathTemplate(template));
    }

    /// <summary>The path for one user and job, or what was wrong with it (for the caller to label).</summary>
    public Outcome<UserPath> Expand(Func<string, string?> valueOf)
    {
        var path = new StringBuilder();
        int personalFrom = int.MaxValue;
        foreach (var part in Template.Parts)
        {
            if (!part.IsPlaceholder)
            {
                path.Append(part.Text);
                continue;
            }
            if (valueOf(part.Text) is not { } value) return Template.MissingValue(part.Text);
            if (part.Text == Template.Known.WholePath)
            {
                string whole = value.Length > 1 ? value.TrimEnd('/') : value;
                if (whole == "/" || !CleanPath.IsClean(whole))
                    return Refusal.Unlabelled($"'{Source}': {{{part.Text}}} is '{value}', which is not a clean absolute path");
                path.Append(whole);
            }
            else if (value.Length == 0 || value.Contains('/') || value is "." or "..")
                return Refusal.Unlabelled($"'{Source}': {{{part.Text}}} is '{value}', which is not a single path component");
            else
                path.Append(value);
            // The component this value ends in is the user's own, and so is everything below it.
            if (Template.Known.Personal.Contains(part.Text))
                personalFrom = Math.Min(personalFrom, Count(path, '/') - 1);
        }
        string expanded = path.ToString();
        if (CleanPath.Check(expanded) is { } unclean)
            return Refusal.Unlabelled($"'{Source}' expands to '{expanded}', which {unclean.Detail}");
        return Outcome.Of(new UserPath(expanded, personalFrom));
    }

    private static int Count(StringBuilder text, char c)
    {
        int n = 0;
        for (int i = 0; i < text.Length; i++)
            if (text[i] == c) n++;
        return n;
    }

    public override string ToString() => Source;
}
