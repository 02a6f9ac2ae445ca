using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Launch;
using Launcher.Core.Templates;
using Launcher.Core.Tests.Support;

namespace Launcher.Core.Tests.Launch;

/// <summary>The pure launch plan: an allowed decision and the launch settings, expanded for the account.</summary>
public class LaunchPlanTests
{
    private static readonly MemorySite Site = new();
    private static readonly string[] TokenVariables = ["CI_LAUNCHER_ID_TOKEN"];

    private static readonly Decision Alice = Site.Authorizer.Authorize(Site.Token("alice"));

    private static LaunchSettings Settings(string workdir = "{home}", params string[] createDirs) => new()
    {
        Workdir = PathTemplate.Parse(workdir, Placeholders.Account).Value,
        CreateDirs = createDirs.Select(d => PathTemplate.Parse(d, Placeholders.Account).Value).ToList(),
        Umask = 0x17,
        KillTimeout = TimeSpan.FromSeconds(7),
        Containment = Containment.ProcessGroup,
    };

    private static Outcome<LaunchPlan> Prepare(LaunchSettings launch, Decision? decision = null, string? token = null) =>
        LaunchPlan.Prepare(launch, decision ?? Alice, "/srv/job.sh", ["a", "b"], [], TokenVariables, token, callerLimits: null);

    public static TheoryData<string, string, string[], string, string[]> Plans => new()
    {
        // name, workdir, create_dirs, expected working directory, expected directories as "path@first personal component"
        { "home and nothing to create", "{home}", [], "/home/alice", [] },
        { "a scratch workdir", "/scratch/{user}", ["/scratch/{user}"], "/scratch/alice", ["/scratch/alice@alice"] },
        { "a shared parent above the user's part", "{home}", ["/shared/ci/{user}/builds", "{home}/.ci"], "/home/alice",
            ["/shared/ci/alice/builds@alice", "/home/alice/.ci@alice"] },
        { "uid inside a component", "{home}", ["/tmp/ci-{uid}"], "/home/alice", ["/tmp/ci-1001@ci-1001"] },
    };

    [Theory]
    [MemberData(nameof(Plans))]
    public void Expands_the_settings_for_the_decisions_account(string name, string workdir, string[] createDirs, string expectedWorkdir, string[] expectedDirs)
    {
        Assert.True(Alice.Allowed, Alice.Detail);
        var plan = Prepare(Settings(workdir, createDirs));
        Assert.True(plan.Ok, $"{name}: {plan}");
        var p = plan.Value;
        Assert.Equal(expectedWorkdir, p.WorkingDirectory);
        Assert.Equal(expectedDirs, p.Directories.Select(d => $"{d.Path}@{d.Components[d.PersonalFrom]}"));
        Assert.Equal((Alice.Account!.Name, 1001u), (p.Account.Name, p.Account.Uid));
        Assert.Equal(("/srv/job.sh", "/bin/bash"), (p.Script, p.Shell));
        Assert.Equal(["a", "b"], p.Arguments);
        Assert.Equal((0x17u, TimeSpan.FromSeconds(7), Containment.ProcessGroup, true), (p.Umask, p.KillTimeout, p.Containment, p.ChangeIdentity));
    }

    public static TheoryData<string, string, string[], string, string> Refusals => new()
    {
        { "a home that is not absolute", "{home}/ci", [], "relative", Reasons.LaunchWorkdir },
        { "a home that climbs out", "{home}", ["{home}/.ci"], "/home/../etc", Reasons.LaunchWorkdir },
        { "a create_dirs home that is not clean", "/scratch", ["{home}/.ci"], "/home//alice", Reasons.LaunchDirectory },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_template_that_does_not_expand_is_a_site_error_naming_the_key(string name, string workdir, string[] createDirs, string home, string reason)
    {
        var decision = Alice with { Account = Alice.Account! with { Home = home } };
        var plan = Prepare(Settings(workdir, createDirs), decision);
        Assert.False(plan.Ok, name);
        Assert.Equal(reason, plan.Refusal.Reason);
        Assert.Equal(RefusalKind.SiteError, plan.Refusal.Kind);
        Assert.StartsWith(reason == Reasons.LaunchWorkdir ? "launch.workdir: " : "launch.create_dirs: ", plan.Refusal.Detail);
    }

    [Fact]
    public void The_token_reaches_the_environment_only_when_given_and_pass_token_is_on()
    {
        var launch = Settings();
        var passing = new LaunchSettings { Workdir = launch.Workdir, PassToken = true };
        string variable = Alice.Token!.Issuer.TokenVariable;
        Assert.DoesNotContain(Prepare(passing).Value.Environment, kv => kv.Key == variable);
        Assert.DoesNotContain(Prepare(launch, token: "eyJ.x.y").Value.Environment, kv => kv.Key == variable);
        Assert.Contains(Prepare(passing, token: "eyJ.x.y").Value.Environment, kv => kv.Key == variable && kv.Value == "eyJ.x.y");
    }

    [Fact]
    public void Only_an_allowed_decision_has_a_plan()
    {
        var refused = Alice.Deny(Refusal.Denied(Reasons.PolicyDenied, "no"));
        Assert.Throws<ArgumentException>(() => Prepare(Settings(), refused));
    }

    [Fact]
    public void A_stage_gets_launchs_environment_plus_its_variables_but_never_a_name_the_launcher_sets_or_a_loader_reads()
    {
        var variables = new Dictionary<string, string>
        {
            ["CI_JOB_ID"] = "42", ["HOME"] = "/tmp/evil", ["PATH"] = "/tmp/evil", ["LD_PRELOAD"] = "/tmp/evil.so",
            ["BASH_ENV"] = "/tmp/evil", ["TMPDIR"] = "/scratch/alice/tmp",
        };
        var plan = LaunchPlan.ForStage(Settings("{home}", "/scratch/{user}"), Alice, "/srv/job.sh", [], variables, "/builds/alice", TokenVariables, callerLimits: null);
        var env = plan.Value.Environment.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal("/builds/alice", plan.Value.WorkingDirectory);
        Assert.Empty(plan.Value.Directories);   // prepare created them, once for every stage
        Assert.Equal(("42", "/home/alice", "/scratch/alice/tmp"), (env["CI_JOB_ID"], env["HOME"], env["TMPDIR"]));
        Assert.NotEqual("/tmp/evil", env["PATH"]);
        Assert.False(env.ContainsKey("LD_PRELOAD") || env.ContainsKey("BASH_ENV"));
        Assert.Equal(env.Keys.Order(StringComparer.Ordinal), env.Keys);
    }
}
