using System.Text;
using Launcher.Core.Authorization;

namespace Launcher.Core.Batch;

/// <summary>
/// Splits a job author's text (SCHEDULER_PARAMETERS) into words the way a POSIX shell would
/// quote them, and nothing more: no shell ever runs it. Whitespace separates words; single
/// quotes keep everything; double quotes keep everything but <c>\" \\ \$ \`</c>; a backslash
/// outside quotes keeps the next character. Whatever a shell would expand or interpret
/// (<c>$</c>, backquotes, <c>; &amp; | &lt; &gt; ( )</c>, a word starting with <c>#</c>) is
/// refused instead of passed on literally: the author would otherwise get a result their shell
/// never gives, and the option checker must see exactly the words sbatch will see.
/// </summary>
public static class ShellWords
{
    public const int MaxLength = 4096;
    public const int MaxWords = 128;

    /// <summary>The words, or what stopped the split: batch.parameters, the job author's to fix.</summary>
    public static Outcome<IReadOnlyList<string>> Split(string text)
    {
        if (text.Length > MaxLength) return Fail($"is {text.Length} characters long, more than {MaxLength}");
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is ' ' or '\t' or '\n')
            {
                if (inWord) { words.Add(word.ToString()); word.Clear(); inWord = false; }
                continue;
            }
            if (char.IsControl(c)) return Fail($"contains the control character U+{(int)c:X4} at position {i + 1}");
            if (c == '#' && !inWord) return Fail($"has a word starting with '#' at position {i + 1}, which a shell would drop as a comment; quote it");
            if (c is '$' or '`' or ';' or '&' or '|' or '<' or '>' or '(' or ')')
                return Fail($"has an unquoted '{c}' at position {i + 1}; it would need a shell, and none runs here (quote it to mean the character itself)");
            inWord = true;
            if (c == '\'')
            {
                int close = text.IndexOf('\'', i + 1);
                if (close < 0) return Fail($"has a ' at position {i + 1} that is never closed");
                string quoted = text[(i + 1)..close];
                if (quoted.Any(ch => char.IsControl(ch) && ch != '\t' && ch != '\n'))
                    return Fail($"contains a control character inside quotes at position {i + 1}");
                word.Append(quoted);
                i = close;
            }
            else if (c == '"')
            {
                int j = i + 1;
                for (; j < text.Length && text[j] != '"'; j++)
                {
                    char d = text[j];
                    if (d is '$' or '`')
                        return Fail($"has a '{d}' inside double quotes at position {j + 1}; it would need a shell (use single quotes to mean the character itself)");
                    if (d == '\\' && j + 1 < text.Length && text[j + 1] is '"' or '\\' or '$' or '`' or '\n')
                    {
                        j++;
                        if (text[j] != '\n') word.Append(text[j]);
                        continue;
                    }
                    if (char.IsControl(d) && d != '\t' && d != '\n')
                        return Fail($"contains the control character U+{(int)d:X4} at position {j + 1}");
                    word.Append(d);
                }
                if (j >= text.Length) return Fail($"has a \" at position {i + 1} that is never closed");
                i = j;
            }
            else if (c == '\\')
            {
                if (i + 1 >= text.Length) return Fail("ends with a lone backslash");
                char next = text[++i];
                if (next == '\n') { if (word.Length == 0) inWord = false; continue; }
                if (char.IsControl(next)) return Fail($"escapes the control character U+{(int)next:X4} at position {i + 1}");
                word.Append(next);
            }
            else
            {
                word.Append(c);
            }
            if (words.Count >= MaxWords) return Fail($"has more than {MaxWords} words");
        }
        if (inWord) words.Add(word.ToString());
        if (words.Count > MaxWords) return Fail($"has more than {MaxWords} words");
        return Outcome.Of<IReadOnlyList<string>>(words);
    }

    private static Refusal Fail(string problem) => Refusal.Denied(Reasons.BatchParameters, problem);
}
