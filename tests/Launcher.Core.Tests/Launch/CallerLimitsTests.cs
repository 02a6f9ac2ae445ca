using Launcher.Core.Authorization;
using Launcher.Core.Launch;

namespace Launcher.Core.Tests.Launch;

/// <summary>CI_LAUNCHER_CALLER_RLIMITS as ci-launcher-suid writes it, and everything else refused.</summary>
public class CallerLimitsTests
{
    private static readonly string[] Defaults =
    [
        "cpu=inf/inf", "fsize=inf/inf", "data=inf/inf", "stack=8388608/inf", "core=0/inf", "rss=inf/inf", "nproc=95365/95365",
        "nofile=1024/524288", "memlock=8388608/8388608", "as=inf/inf", "locks=inf/inf", "sigpending=95365/95365",
        "msgqueue=819200/819200", "nice=0/0", "rtprio=0/0", "rttime=inf/inf",
    ];

    private static string With(int index, string entry)
    {
        var entries = (string[])Defaults.Clone();
        entries[index] = entry;
        return string.Join(',', entries);
    }

    [Fact]
    public void Reads_every_resource_in_rlimit_order()
    {
        var parsed = CallerLimits.Parse(string.Join(',', Defaults));
        Assert.True(parsed.Ok, parsed.ToString());
        var limits = parsed.Value;
        Assert.Equal(16, limits.Count);
        Assert.Equal(new ResourceLimit(CallerLimits.Unlimited, CallerLimits.Unlimited), limits[0]);
        Assert.Equal(new ResourceLimit(8388608, CallerLimits.Unlimited), limits[3]);
        Assert.Equal(new ResourceLimit(0, CallerLimits.Unlimited), limits[4]);
        Assert.Equal(new ResourceLimit(1024, 524288), limits[7]);
        Assert.Equal(new ResourceLimit(0, 0), limits[14]);
    }

    [Fact]
    public void A_lowered_soft_limit_is_kept_as_the_caller_set_it()
    {
        var limits = CallerLimits.Parse(With(1, "fsize=1024/inf")).Value;
        Assert.Equal(new ResourceLimit(1024, CallerLimits.Unlimited), limits[1]);
    }

    public static TheoryData<string, string?, string> Refusals => new()
    {
        { "absent", null, "not set" },
        { "empty", "", "not set" },
        { "one entry short", string.Join(',', Defaults[..15]), "15 entries, expected 16" },
        { "one entry too many", string.Join(',', Defaults) + ",extra=1/1", "17 entries" },
        { "out of order", With(0, "fsize=inf/inf"), "expected 'cpu'" },
        { "no equals sign", With(2, "data"), "data=SOFT/HARD" },
        { "no slash", With(2, "data=5"), "data=SOFT/HARD" },
        { "three values", With(2, "data=1/2/3"), "data=SOFT/HARD" },
        { "soft above hard", With(7, "nofile=2048/1024"), "SOFT <= HARD" },
        { "negative", With(7, "nofile=-1/1024"), "nofile=SOFT/HARD" },
        { "a sign", With(7, "nofile=+5/1024"), "nofile=SOFT/HARD" },
        { "hexadecimal", With(7, "nofile=0x10/1024"), "nofile=SOFT/HARD" },
        { "infinity spelled out", With(7, "nofile=unlimited/inf"), "nofile=SOFT/HARD" },
        { "the number that means infinity", With(7, "nofile=18446744073709551615/inf"), "nofile=SOFT/HARD" },
        { "too large", With(7, "nofile=99999999999999999999/inf"), "nofile=SOFT/HARD" },
        { "empty value", With(7, "nofile=/inf"), "nofile=SOFT/HARD" },
        { "spaces", With(7, "nofile= 5/inf"), "nofile=SOFT/HARD" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refuses(string name, string? value, string fragment)
    {
        var parsed = CallerLimits.Parse(value);
        Assert.False(parsed.Ok, name);
        Assert.Equal(Reasons.LaunchRlimit, parsed.Refusal.Reason);
        string problem = parsed.Refusal.Detail;
        Assert.True(problem.Contains(fragment, StringComparison.Ordinal), $"{name}: {problem}");
        Assert.Contains(CallerLimits.Variable, problem);
    }
}
