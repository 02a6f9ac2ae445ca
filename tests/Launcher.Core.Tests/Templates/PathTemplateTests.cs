using Launcher.Core.Accounts;
using Launcher.Core.Executor;
using Launcher.Core.Templates;

namespace Launcher.Core.Tests.Templates;

/// <summary>
/// Directory templates of launch (over the account) and of the executor (over the job): one
/// parser, one clean-path check, and where the user's own components begin.
/// </summary>
public class PathTemplateTests
{
    private static readonly Account Alice = new("alice", 1500, 1600, "/home/alice/", "/bin/bash", []);
    private static readonly TemplateValues Job = new("alice", 1001, 1001, JobId: 555, ProjectId: 4242, RunnerId: 17);

    private static Func<string, string?> ValuesFor(Placeholders known) =>
        known == Placeholders.Account ? Placeholders.ValuesOf(Alice) : Job.Get;

    public static TheoryData<string, Placeholders, string, string, string> Expansions => new()
    {
        // name, use, template, path, the first component that is the user's own
        { "home", Placeholders.Account, "{home}", "/home/alice", "alice" },
        { "below home", Placeholders.Account, "{home}/.ci/builds", "/home/alice/.ci/builds", "alice" },
        { "user below a shared parent", Placeholders.Account, "/shared/ci/{user}", "/shared/ci/alice", "alice" },
        { "uid and gid", Placeholders.Account, "/scratch/{gid}/{uid}", "/scratch/1600/1500", "1500" },
        { "user inside a component", Placeholders.Account, "/scratch/ci-{user}/x", "/scratch/ci-alice/x", "ci-alice" },
        { "builds per runner", Placeholders.Job, "/scratch/ci/{user}/builds/{runner_id}", "/scratch/ci/alice/builds/17", "alice" },
        { "uid and job", Placeholders.Job, "/scratch/{uid}/tmp/{job_id}", "/scratch/1001/tmp/555", "1001" },
        { "job above the user", Placeholders.Job, "/scratch/{job_id}/{user}", "/scratch/555/alice", "alice" },
        { "gid is shared by a group", Placeholders.Job, "/g/{gid}/{user}", "/g/1001/alice", "alice" },
        { "value inside a component", Placeholders.Job, "/scratch/ci-{user}-{project_id}", "/scratch/ci-alice-4242", "ci-alice-4242" },
    };

    [Theory]
    [MemberData(nameof(Expansions))]
    public void Expands_and_says_where_the_users_own_part_begins(string name, Placeholders known, string source, string path, string firstPersonal)
    {
        var template = PathTemplate.Parse(source, known);
        Assert.True(template.Ok, $"{name}: {template}");
        var expanded = template.Value.Expand(ValuesFor(known));
        Assert.True(expanded.Ok, $"{name}: {expanded}");
        Assert.Equal(path, expanded.Value.Path);
        Assert.Equal(firstPersonal, expanded.Value.Components[expanded.Value.PersonalFrom]);
        Assert.True(template.Value.IsPersonal, name);
    }

    public static TheoryData<string, Placeholders, string, string> Refusals => new()
    {
        { "relative", Placeholders.Job, "scratch/{user}", "must be an absolute path" },
        { "relative launch path", Placeholders.Account, "ci/{user}", "must be an absolute path or start with {home}" },
        { "unknown placeholder", Placeholders.Job, "/scratch/{CI_PROJECT_PATH}", "placeholders are" },
        { "a claim is no placeholder", Placeholders.Job, "/scratch/{user_login}", "placeholders are" },
        { "unknown account placeholder", Placeholders.Account, "/scratch/{project}", "unknown placeholder '{project}'" },
        { "dot-dot component", Placeholders.Job, "/scratch/../{user}", "'..' component" },
        { "dot component", Placeholders.Account, "/scratch/./{user}", "'.' component" },
        { "climbing out after a value", Placeholders.Account, "/scratch/{user}/../root", "'..' component" },
        { "empty component", Placeholders.Job, "/scratch//{user}", "empty component" },
        { "trailing slash", Placeholders.Job, "/scratch/{user}/", "ends with '/'" },
        { "unbalanced open", Placeholders.Job, "/scratch/{user", "without a matching" },
        { "unbalanced close", Placeholders.Job, "/scratch/user}", "without a matching" },
        { "root", Placeholders.Job, "/", "root directory" },
        { "home after the start", Placeholders.Account, "/x/{home}", "after its start" },
        { "control character", Placeholders.Account, "/scratch/\t/{user}", "control character" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refuses_bad_templates_at_config_load(string name, Placeholders known, string source, string expected)
    {
        var template = PathTemplate.Parse(source, known);
        Assert.False(template.Ok, name);
        Assert.Contains(expected, template.Refusal.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, Func<TemplateValues, TemplateValues>, string> JobValueRefusals => new()
    {
        { "missing runner id", "/scratch/{user}/{runner_id}", j => j with { RunnerId = null }, "needs {runner_id}, which this job does not have" },
        { "dot-dot user", "/scratch/{user}/builds", j => j with { User = ".." }, "not a single path component" },
        { "dot user", "/scratch/{user}/builds", j => j with { User = "." }, "not a single path component" },
        { "slash in user", "/scratch/{user}/builds", j => j with { User = "a/b" }, "not a single path component" },
        { "empty user", "/scratch/{user}/builds", j => j with { User = "" }, "not a single path component" },
        { "control character in a value", "/scratch/x{user}", j => j with { User = "a\nb" }, "control character" },
    };

    [Theory]
    [MemberData(nameof(JobValueRefusals))]
    public void Refuses_an_unsafe_value_after_expansion(string name, string source, Func<TemplateValues, TemplateValues> edit, string expected)
    {
        var expanded = PathTemplate.Parse(source, Placeholders.Job).Value.Expand(edit(Job).Get);
        Assert.False(expanded.Ok, name);
        Assert.Contains(expected, expanded.Refusal.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> HomeRefusals => new()
    {
        { "relative home", "relative", "not a clean absolute path" },
        { "home climbing out", "/home/../etc", "not a clean absolute path" },
        { "home is /", "/", "not a clean absolute path" },
    };

    [Theory]
    [MemberData(nameof(HomeRefusals))]
    public void Refuses_a_home_directory_that_is_not_clean(string name, string home, string expected)
    {
        var expanded = PathTemplate.Parse("{home}/ci", Placeholders.Account).Value.Expand(Placeholders.ValuesOf(Alice with { Home = home }));
        Assert.False(expanded.Ok, name);
        Assert.Contains(expected, expanded.Refusal.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("user above the job", "/scratch/ci/{user}/tmp/{job_id}", false)]
    [InlineData("user and job in the last component", "/scratch/ci/{user}-{job_id}", true)]
    [InlineData("uid alone at the end", "/t/{job_id}/{uid}", true)]
    public void Knows_when_only_the_last_component_is_the_users(string name, string source, bool onlyAtTheEnd) =>
        Assert.True(PathTemplate.Parse(source, Placeholders.Job).Value.IsPersonalOnlyAtTheEnd == onlyAtTheEnd, name);

    [Fact]
    public void A_path_without_a_personal_placeholder_is_nobodys_own()
    {
        var template = PathTemplate.Parse("/scratch/{gid}", Placeholders.Account).Value;
        Assert.False(template.IsPersonal);
        var path = template.Expand(Placeholders.ValuesOf(Alice)).Value;
        Assert.False(path.IsPersonal(path.Components.Length - 1));
    }
}
