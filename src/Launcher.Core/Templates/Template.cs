using System.Text;
using Launcher.Core.Authorization;

namespace Launcher.Core.Templates;

/// <summary>
/// Literal text with <c>{name}</c> placeholders (<c>{user_login}</c>, <c>ci-{project_id}</c>,
/// <c>/scratch/ci/{user}</c>): the one parser for every template of the configuration. Parsed
/// once at config load against the <see cref="Placeholders"/> of its use, so an unbalanced brace
/// or a misspelt name is a config error naming the key, not a refusal of every job at run time.
/// </summary>
public sealed class Template
{
    private Template(string source, IReadOnlyList<TemplatePart> parts, Placeholders known)
    {
        Source = source;
        Parts = parts;
        Known = known;
    }

    public string Source { get; }
    public IReadOnlyList<TemplatePart> Parts { get; }
    public Placeholders Known { get; }

    public IEnumerable<string> Names => Parts.Where(p => p.IsPlaceholder).Select(p => p.Text);

    public bool Uses(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>No placeholder: the same text for every token and account.</summary>
    public bool IsFixed => Parts.All(p => !p.IsPlaceholder);

    public static Outcome<Template> Parse(string source, Placeholders known)
    {
        if (source.Length == 0) return Refusal.Unlabelled("is empty");
        var parts = new List<TemplatePart>();
        var literal = new StringBuilder();
        for (int i = 0; i < source.Length; i++)
        {
            char c = source[i];
            if (c == '}') return Refusal.Unlabelled($"'{source}' has a '}}' without a matching '{{'");
            if (c != '{')
            {
                literal.Append(c);
                continue;
            }
            int close = source.IndexOf('}', i + 1);
            if (close < 0) return Refusal.Unlabelled($"'{source}' has a '{{' without a matching '}}'");
            string name = source[(i + 1)..close];
            if (!known.Names.Contains(name))
                return Refusal.Unlabelled($"'{source}' uses unknown {known.Noun} '{{{name}}}'; {known.Known}");
            if (literal.Length > 0) parts.Add(new TemplatePart(false, literal.ToString()));
            literal.Clear();
            parts.Add(new TemplatePart(true, name));
            i = close;
        }
        if (literal.Length > 0) parts.Add(new TemplatePart(false, literal.ToString()));
        return Outcome.Of(new Template(source, parts, known));
    }

    /// <summary>
    /// The text with every placeholder replaced by <paramref name="valueOf"/>'s answer; a null
    /// answer (a claim the token lacks) is a refusal naming the placeholder, for the caller to label.
    /// </summary>
    public Outcome<string> Expand(Func<string, string?> valueOf)
    {
        var text = new StringBuilder();
        foreach (var part in Parts)
        {
            if (!part.IsPlaceholder)
            {
                text.Append(part.Text);
                continue;
            }
            if (valueOf(part.Text) is not { } value) return MissingValue(part.Text);
            text.Append(value);
        }
        return Outcome.Of(text.ToString());
    }

    internal Refusal MissingValue(string name) =>
        Refusal.Unlabelled($"'{Source}' needs {Known.Describe(name)}, {Known.Missing}");

    public override string ToString() => Source;
}

/// <summary>One piece of a <see cref="Template"/>: literal text, or the name of a placeholder.</summary>
public sealed record TemplatePart(bool IsPlaceholder, string Text);
