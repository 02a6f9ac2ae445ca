using Launcher.Core.Launch;

namespace Launcher.Core.Tests.Launch;

/// <summary>/proc/PID/stat lines, whose command name the job chooses.</summary>
public class ProcStatTests
{
    public static TheoryData<string, string, ProcStat?> Lines => new()
    {
        { "plain", "4242 (sleep) S 4200 4100 4100 0 -1 4194304 91 0", new ProcStat(4242, 'S', 4200, 4100) },
        { "a zombie", "77 (bash) Z 1 77 77 0 -1", new ProcStat(77, 'Z', 1, 77) },
        { "spaces and parentheses in the name", "99 (a) S 1 1 (b) R 5 6 7 8) S 10 11 12", new ProcStat(99, 'S', 10, 11) },
        { "an empty name", "5 () R 4 3 2", new ProcStat(5, 'R', 4, 3) },
        { "garbage", "not a stat line", null },
        { "truncated after the name", "5 (x)", null },
        { "a non-numeric parent", "5 (x) S p 3 2", null },
        { "a negative group", "5 (x) S 4 -3 2", null },
        { "empty", "", null },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void Parses(string name, string line, ProcStat? expected) => Assert.True(ProcStat.Parse(line) == expected, $"{name}: {ProcStat.Parse(line)}");

    [Fact]
    public void Zombies_and_dead_processes_are_zombies()
    {
        Assert.True(new ProcStat(1, 'Z', 0, 0).Zombie);
        Assert.True(new ProcStat(1, 'X', 0, 0).Zombie);
        Assert.False(new ProcStat(1, 'S', 0, 0).Zombie);
        Assert.False(new ProcStat(1, 'D', 0, 0).Zombie);
    }
}
