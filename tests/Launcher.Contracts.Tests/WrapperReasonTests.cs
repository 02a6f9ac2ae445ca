using System.Reflection;
using System.Text.RegularExpressions;
using Launcher.Contracts.Tests.Support;
using Launcher.Core.Authorization;

namespace Launcher.Contracts.Tests;

/// <summary>
/// The reason codes ci-launcher-suid prints before the AOT binary exists for the caller (its
/// <c>refuse("code", ...)</c> calls): each is a constant of Reasons.cs, so the C# side and the
/// logs share one vocabulary, and each has a row in docs/ADMIN.md's troubleshooting table, so
/// a sysadmin who reads it in syslog finds what to do.
/// </summary>
public class WrapperReasonTests
{
    public static TheoryData<string> RefusalCodes()
    {
        var codes = Regex.Matches(SourceTree.Read("native/ci-launcher-suid.c"), @"\brefuse\(\s*""([^""]+)""")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.True(codes.Count >= 5, $"only {codes.Count} refuse(\"...\") codes found in native/ci-launcher-suid.c");
        return new TheoryData<string>(codes);
    }

    [Theory]
    [MemberData(nameof(RefusalCodes))]
    public void Each_wrapper_refusal_is_a_reason_code(string code)
    {
        var constants = typeof(Reasons).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        Assert.True(constants.Contains(code), $"native/ci-launcher-suid.c refuses with '{code}', which src/Launcher.Core/Authorization/Reasons.cs does not define");
    }

    [Theory]
    [MemberData(nameof(RefusalCodes))]
    public void Each_wrapper_refusal_has_a_troubleshooting_row(string code)
    {
        // A table row whose first cell names the code (alone or among codes sharing one remedy), with a cause and a fix.
        var rows = SourceTree.Read("docs/ADMIN.md").Split('\n')
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .Where(cells => cells.Length >= 5 && cells[2].Length > 0 && cells[3].Length > 0);
        Assert.True(rows.Any(cells => cells[1].Split('/', StringSplitOptions.TrimEntries).Contains($"`{code}`")),
            $"docs/ADMIN.md has no troubleshooting row for '{code}', which ci-launcher-suid prints");
    }
}
