using Launcher.Core.Authorization;
using Launcher.Core.Batch;

namespace Launcher.Core.Tests.Batch;

public class ShellWordsTests
{
    [Theory]
    [InlineData("empty", "", new string[0])]
    [InlineData("blanks", "  \t\n ", new string[0])]
    [InlineData("plain words", "-p debug --time=10", new[] { "-p", "debug", "--time=10" })]
    [InlineData("single quotes keep spaces", "--constraint='a b'", new[] { "--constraint=a b" })]
    [InlineData("single quotes keep $ and backslash", @"'$HOME\n'", new[] { @"$HOME\n" })]
    [InlineData("double quotes", "\"--comment=x y\"", new[] { "--comment=x y" })]
    [InlineData("escapes in double quotes", "\"a\\\"b\\\\c\\$d\"", new[] { "a\"b\\c$d" })]
    [InlineData("other backslashes stay in double quotes", "\"a\\nb\"", new[] { "a\\nb" })]
    [InlineData("backslash outside quotes", @"a\ b c\;d", new[] { "a b", "c;d" })]
    [InlineData("adjacent quoted parts join", "--x='a'\"b\"c", new[] { "--x=abc" })]
    [InlineData("empty quoted word", "'' x", new[] { "", "x" })]
    [InlineData("line continuation", "-p \\\ndebug", new[] { "-p", "debug" })]
    [InlineData("hash inside a word", "--gres=gpu:a100#2", new[] { "--gres=gpu:a100#2" })]
    [InlineData("globs and brackets stay literal", "-w node[1-4]", new[] { "-w", "node[1-4]" })]
    public void Splits_like_a_shell_without_running_one(string name, string text, string[] expected)
    {
        var r = ShellWords.Split(text);
        Assert.True(r.Ok, $"{name}: {r}");
        Assert.Equal(expected, r.Value);
    }

    [Theory]
    [InlineData("command substitution", "--time=$(id)", "unquoted '$'")]
    [InlineData("variable", "-A $ACCOUNT", "unquoted '$'")]
    [InlineData("backquote", "-A `id`", "unquoted '`'")]
    [InlineData("dollar in double quotes", "\"$HOME\"", "inside double quotes")]
    [InlineData("semicolon", "-p debug; rm -rf /", "unquoted ';'")]
    [InlineData("pipe", "-p debug | x", "unquoted '|'")]
    [InlineData("redirect", "-p debug > x", "unquoted '>'")]
    [InlineData("background", "-p debug &", "unquoted '&'")]
    [InlineData("subshell", "(x)", "unquoted '('")]
    [InlineData("comment", "-p debug #--uid=0", "starting with '#'")]
    [InlineData("open single quote", "-p 'debug", "never closed")]
    [InlineData("open double quote", "-p \"debug", "never closed")]
    [InlineData("lone backslash", "-p debug\\", "lone backslash")]
    [InlineData("control character", "-p de\u0001bug", "control character")]
    public void Refuses_what_would_need_a_shell(string name, string text, string expected)
    {
        var r = ShellWords.Split(text);
        Assert.False(r.Ok, name);
        Assert.Equal(Reasons.BatchParameters, r.Refusal.Reason);
        Assert.Contains(expected, r.Refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_too_long_and_too_many()
    {
        Assert.Contains("characters long", ShellWords.Split(new string('a', ShellWords.MaxLength + 1)).Refusal.Detail);
        Assert.Contains("more than", ShellWords.Split(string.Join(' ', Enumerable.Repeat("x", ShellWords.MaxWords + 1))).Refusal.Detail);
        Assert.True(ShellWords.Split(string.Join(' ', Enumerable.Repeat("x", ShellWords.MaxWords))).Ok);
    }
}
