using System.Text.RegularExpressions;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Packaging;

/// <summary>
/// docs/ADMIN.md against the code: its troubleshooting table names every reason code of
/// Reasons.cs, so a sysadmin who reads a code in a log always finds what to do about it.
/// </summary>
public class AdminGuideTests
{
    public static TheoryData<string> ReasonCodes()
    {
        string reasons = File.ReadAllText(Path.Combine(Dist.Repo, "src", "Launcher.Core", "Authorization", "Reasons.cs"));
        var data = new TheoryData<string>();
        foreach (var code in Regex.Matches(reasons, @"public const string \w+ = ""([a-z_.]+)"";").Select(m => m.Groups[1].Value).Distinct())
            if (code != "ok") data.Add(code);
        return data;
    }

    [Theory]
    [MemberData(nameof(ReasonCodes))]
    public void Troubleshooting_table_explains_the_reason_code(string code)
    {
        // A table row whose first cell names the code (alone or among codes sharing one remedy).
        var rows = File.ReadAllLines(Path.Combine(Dist.Repo, "docs", "ADMIN.md"))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .Where(cells => cells.Length >= 5 && cells[2].Length > 0 && cells[3].Length > 0);
        Assert.True(rows.Any(cells => cells[1].Split('/', StringSplitOptions.TrimEntries).Contains($"`{code}`")),
            $"docs/ADMIN.md has no troubleshooting row for reason code '{code}'");
    }

    [Fact]
    public void Readme_links_the_guide()
    {
        Assert.Contains("(docs/ADMIN.md)", File.ReadAllText(Path.Combine(Dist.Repo, "README.md")));
    }
}
