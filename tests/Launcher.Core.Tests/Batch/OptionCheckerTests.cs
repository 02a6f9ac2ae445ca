using Launcher.Core.Authorization;
using Launcher.Core.Batch;

namespace Launcher.Core.Tests.Batch;

public class OptionCheckerTests
{
    private static readonly IReadOnlySet<string> Allowed = new HashSet<string>(SlurmOptions.DefaultAllowed, StringComparer.Ordinal);

    private static Outcome<IReadOnlyList<BatchOption>> Check(string text) =>
        OptionChecker.Check(ShellWords.Split(text).Value, SlurmOptions.Table, Allowed);

    [Theory]
    [InlineData("nothing", "", "")]
    [InlineData("long with =", "--partition=debug", "--partition=debug")]
    [InlineData("long with next word", "--partition debug", "--partition=debug")]
    [InlineData("short with next word", "-p debug", "--partition=debug")]
    [InlineData("short attached", "-pdebug", "--partition=debug")]
    [InlineData("several", "-N 2 --ntasks-per-node=4 -c 2 -t 1:00:00 --mem=4G", "--nodes=2 --ntasks-per-node=4 --cpus-per-task=2 --time=1:00:00 --mem=4G")]
    [InlineData("flag with optional value absent", "--exclusive", "--exclusive")]
    [InlineData("flag with optional value", "--exclusive=user", "--exclusive=user")]
    [InlineData("optional value never takes the next word", "--exclusive -p debug", "--exclusive --partition=debug")]
    [InlineData("gres and constraint", "--gres=gpu:2 -C 'a100&nvlink'", "--gres=gpu:2 --constraint=a100&nvlink")]
    [InlineData("negative-looking number is a value", "--time -1", "--time=-1")]
    public void Accepts_and_renders_each_option_once_in_full(string name, string text, string rendered)
    {
        var r = Check(text);
        Assert.True(r.Ok, $"{name}: {r}");
        Assert.Equal(rendered, string.Join(' ', r.Value.Select(o => o.Render())));
    }

    [Theory]
    [InlineData("uid", "--uid=0", "batch.option_refused", "--uid is never accepted")]
    [InlineData("uid as next word", "--uid 0", "batch.option_refused", "--uid")]
    [InlineData("gid", "--gid=0", "batch.option_refused", "--gid")]
    [InlineData("output short", "-o /tmp/x", "batch.option_refused", "-o/--output")]
    [InlineData("output in a cluster", "-vo/tmp/x", "batch.option_refused", "-v/--verbose")]
    [InlineData("error", "--error=/tmp/x", "batch.option_refused", "-e/--error")]
    [InlineData("input", "-i/etc/shadow", "batch.option_refused", "-i/--input")]
    [InlineData("chdir", "-D /", "batch.option_refused", "-D/--chdir")]
    [InlineData("export", "--export=ALL", "batch.option_refused", "--export")]
    [InlineData("export bare", "--export", "batch.option_refused", "--export")]
    [InlineData("export file", "--export-file=/etc/environment", "batch.option_refused", "--export-file")]
    [InlineData("get-user-env", "--get-user-env=10L", "batch.option_refused", "--get-user-env")]
    [InlineData("wrap", "--wrap=id", "batch.option_refused", "--wrap")]
    [InlineData("wait", "-W", "batch.option_refused", "-W/--wait")]
    [InlineData("hold in a cluster", "-Hpdebug", "batch.option_refused", "-H/--hold")]
    [InlineData("array", "--array=1-100", "batch.option_refused", "-a/--array")]
    [InlineData("job name", "-J x", "batch.option_refused", "-J/--job-name")]
    [InlineData("clusters", "-M other", "batch.option_refused", "-M/--clusters")]
    [InlineData("dependency", "--dependency=afterok:1", "batch.option_refused", "-d/--dependency")]
    [InlineData("begin", "--begin=now+1hour", "batch.option_refused", "-b/--begin")]
    [InlineData("abbreviation", "--part=debug", "batch.option_unknown", "'--part'")]
    [InlineData("abbreviated uid", "--ui=0", "batch.option_unknown", "'--ui'")]
    [InlineData("unknown long", "--bogus", "batch.option_unknown", "'--bogus'")]
    [InlineData("unknown short", "-y", "batch.option_unknown", "'-y'")]
    [InlineData("stray word", "-p debug job.sh", "batch.option_unknown", "'job.sh' is not an option")]
    [InlineData("double dash", "-- job.sh", "batch.option_unknown", "'--' is not accepted")]
    [InlineData("missing value", "--partition", "batch.option_unknown", "needs a value")]
    [InlineData("missing short value", "-p", "batch.option_unknown", "needs a value")]
    [InlineData("empty value", "--partition=", "batch.option_unknown", "non-empty value")]
    [InlineData("value that is an option", "-p --uid=0", "batch.option_unknown", "looks like an option")]
    [InlineData("flag given a value", "--contiguous=yes", "batch.option_not_allowed", "--contiguous")]
    [InlineData("value on a no-value option", "--oversubscribe=1", "batch.option_not_allowed", "-s/--oversubscribe")]
    [InlineData("twice", "-p a --partition b", "batch.option_unknown", "given twice")]
    [InlineData("not on the allowlist", "--mail-user=a@b", "batch.option_not_allowed", "--mail-user is a sbatch option this site does not allow")]
    public void Refuses_with_one_line_naming_the_option(string name, string text, string reason, string named)
    {
        var r = Check(text);
        Assert.False(r.Ok, name);
        Assert.Equal(reason, r.Refusal.Reason);
        Assert.Equal(RefusalKind.Denied, r.Refusal.Kind);
        Assert.Contains(named, r.Refusal.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', r.Refusal.Detail);
    }

    [Fact]
    public void A_refused_option_stays_refused_whatever_the_allowlist()
    {
        var everything = new HashSet<string>(SlurmOptions.Table.All.Select(o => o.Name), StringComparer.Ordinal);
        foreach (var spec in SlurmOptions.Table.All.Where(o => o.Refusal is not null))
        {
            var r = OptionChecker.Check([$"--{spec.Name}" + (spec.Value == OptionValue.None ? "" : "=x")], SlurmOptions.Table, everything);
            Assert.Equal("batch.option_refused", r.Refusal.Reason);
        }
        foreach (var name in new[] { "uid", "gid", "output", "error", "input", "chdir", "export", "get-user-env", "wrap", "wait" })
            Assert.NotNull(SlurmOptions.Table.ByName(name)!.Refusal);
    }

    [Fact]
    public void The_default_allowlist_is_made_of_known_accepted_options()
    {
        foreach (var name in SlurmOptions.DefaultAllowed)
        {
            var spec = SlurmOptions.Table.ByName(name);
            Assert.True(spec is not null && spec.Refusal is null, name);
        }
    }
}
