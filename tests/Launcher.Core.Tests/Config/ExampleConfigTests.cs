using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Tests.Support;
using Launcher.TestIssuer;

namespace Launcher.Core.Tests.Config;

/// <summary>
/// packaging/config.example.yaml loads, and decides what its comments promise: so the example
/// can never rot. It is also where fork merge-request pipelines are proven to be bound on
/// job_project_id (the project the job runs in) and not confused with the fork.
/// </summary>
public class ExampleConfigTests
{
    private const string GitHub = "https://token.actions.githubusercontent.com";
    private static readonly IssuerKey GitHubKey = IssuerKey.CreateRsa("gh-1");
    private static readonly TimeProvider Clock = new FixedClock();
    private static readonly Lazy<Authorizer> Authorizer = new(Build);

    public static string ExamplePath
    {
        get
        {
            string? repo = Environment.GetEnvironmentVariable("CI_LAUNCHER_REPO");
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); repo is null && dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Launcher.sln"))) repo = dir.FullName;
            return Path.Combine(repo ?? throw new InvalidOperationException("repository root not found"), "packaging", "config.example.yaml");
        }
    }

    private static Authorizer Build()
    {
        var (config, errors) = ConfigLoader.Parse(ExamplePath, File.ReadAllText(ExamplePath));
        if (config is null) throw new InvalidOperationException(string.Join("\n", errors));
        var keys = new MemoryKeySource().Set("gitlab", IssuerKey.Jwks(MemorySite.Rsa)).Set("github", IssuerKey.Jwks(GitHubKey));
        var accounts = new FixtureAccounts(
            FixtureAccounts.DefaultPasswd + "\ngh-octocat:x:1600:1600:GitHub octocat:/home/gh-octocat:/bin/bash"
                + "\nwendy:x:1601:1601:Wendy:/home/wendy:/usr/bin/fish",
            FixtureAccounts.DefaultGroup.Replace("hpc-users:x:5000:alice,bob,ci-runner", "hpc-users:x:5000:alice,bob,ci-runner,gh-octocat,wendy", StringComparison.Ordinal)
                + "\ngh-octocat:x:1600:\nwendy:x:1601:\nwheel:x:10:\ndocker:x:998:");
        return new Authorizer(config, keys, accounts, Clock);
    }

    [Fact]
    public void Example_config_loads_without_errors_or_warnings()
    {
        var (config, errors) = ConfigLoader.Parse(ExamplePath, File.ReadAllText(ExamplePath));
        Assert.True(config is not null, string.Join("\n", errors));
        Assert.Empty(config!.Warnings);
        Assert.Equal(["gitlab", "github"], config.Issuers.Select(i => i.Name));
        Assert.Equal(6, config.Rules.Count);
    }

    /// <summary>A GitLab 18.3+ token: project_* is the code's project, job_project_* where the job runs.</summary>
    private static string GitLabToken(string user, string projectPath, string projectId, string jobProjectPath, string jobProjectId,
        string namespaceId, string source = "push", string protectedRef = "true", string userId = "7", long issuedAgo = 0, TimeSpan? lifetime = null)
    {
        var claims = GitLabClaims.For(MemorySite.GitLab, MemorySite.Audience, user, Clock.GetUtcNow().AddSeconds(-issuedAgo), lifetime, projectPath: projectPath);
        claims["project_id"] = projectId;
        claims["namespace_id"] = namespaceId;
        claims["job_project_path"] = jobProjectPath;
        claims["job_project_id"] = jobProjectId;
        claims["job_namespace_path"] = jobProjectPath.Split('/')[0];
        claims["pipeline_source"] = source;
        claims["ref_protected"] = protectedRef;
        claims["user_id"] = userId;
        return MemorySite.Rsa.Sign(claims);
    }

    private static string GitHubToken(string ownerId, string repoId, string gitRef, string actor = "octocat", string? environment = null, long issuedAgo = 0)
    {
        long now = Clock.GetUtcNow().ToUnixTimeSeconds() - issuedAgo;
        var claims = new Dictionary<string, object?>
        {
            ["iss"] = GitHub, ["aud"] = MemorySite.Audience, ["iat"] = now, ["nbf"] = now - 5, ["exp"] = now + 900,
            ["jti"] = Guid.NewGuid().ToString(), ["sub"] = $"repo:example/bench:ref:{gitRef}",
            ["repository"] = "example/bench", ["repository_id"] = repoId, ["repository_owner"] = "example",
            ["repository_owner_id"] = ownerId, ["actor"] = actor, ["actor_id"] = "583231", ["ref"] = gitRef,
            ["ref_type"] = "branch", ["event_name"] = "push", ["run_id"] = "9000001", ["workflow"] = "bench",
        };
        if (environment is not null) claims["environment"] = environment;
        return GitHubKey.Sign(claims);
    }

    public static TheoryData<string, Func<string>, string, string?, string?> Cases => new()
    {
        { "own protected push runs as the user", () => GitLabToken("alice", "hpc/solver", "4242", "hpc/solver", "4242", "42"), Reasons.Ok, "solver-protected", "alice" },
        { "own merge request runs as the user", () => GitLabToken("alice", "hpc/solver", "4242", "hpc/solver", "4242", "42", "merge_request_event"), Reasons.Ok, "solver-protected", "alice" },
        { "fork MR running in hpc/solver: fork code, service account", () => GitLabToken("alice", "alice/solver", "9999", "hpc/solver", "4242", "77", "merge_request_event", "false"), Reasons.Ok, "solver-fork-mrs", "ci-runner" },
        { "fork MR into a project no rule names", () => GitLabToken("alice", "alice/solver", "9999", "other/solver", "5555", "77", "merge_request_event", "false"), Reasons.PolicyNoMatch, null, null },
        { "pipeline inside the fork itself", () => GitLabToken("alice", "alice/solver", "9999", "alice/solver", "9999", "77"), Reasons.PolicyNoMatch, null, null },
        { "fork push cannot pose as the parent by path", () => GitLabToken("alice", "hpc/solver", "9999", "hpc/solver", "9999", "77"), Reasons.PolicyNoMatch, null, null },
        { "trigger pipelines are not in the source allowlist", () => GitLabToken("alice", "hpc/solver", "4242", "hpc/solver", "4242", "42", "trigger"), Reasons.PolicyNoMatch, null, null },
        { "any project of the hpc group by namespace id", () => GitLabToken("alice", "hpc/tools/x", "5001", "hpc/tools/x", "5001", "42", "push", "false"), Reasons.Ok, "hpc-group", "alice" },
        { "lookalike group path with the right namespace id", () => GitLabToken("alice", "hpc-evil/x", "5002", "hpc-evil/x", "5002", "42", "push", "false"), Reasons.PolicyNoMatch, null, null },
        { "right group path, other namespace id (re-registered path)", () => GitLabToken("alice", "hpc/x", "5003", "hpc/x", "5003", "43", "push", "false"), Reasons.PolicyNoMatch, null, null },
        { "blocked GitLab user id", () => GitLabToken("alice", "hpc/solver", "4242", "hpc/solver", "4242", "42", userId: "31337"), Reasons.PolicyDenied, "blocked-gitlab-users", null },
        { "groups_blocklist: member of banned", () => GitLabToken("bob", "hpc/solver", "4242", "hpc/solver", "4242", "42"), Reasons.AccountGroup, "solver-protected", null },
        { "groups_allowlist: not in hpc-users", () => GitLabToken("carol", "hpc/solver", "4242", "hpc/solver", "4242", "42"), Reasons.AccountGroup, "solver-protected", null },
        { "user_blocklist: root", () => GitLabToken("root", "hpc/solver", "4242", "hpc/solver", "4242", "42"), Reasons.AccountDeniedUser, "solver-protected", null },
        { "shell_allowlist: fish is not listed", () => GitLabToken("wendy", "hpc/solver", "4242", "hpc/solver", "4242", "42"), Reasons.AccountShell, "solver-protected", null },
        { "GitHub: listed repository of the org, fixed account", () => GitHubToken("9919", "123456789", "refs/heads/main"), Reasons.Ok, "github-benchmarks", "ci-runner" },
        { "GitHub: listed repository, other branch", () => GitHubToken("9919", "123456789", "refs/heads/dev"), Reasons.PolicyNoMatch, null, null },
        { "GitHub: environment rule maps gh-{actor}", () => GitHubToken("9919", "555", "refs/heads/dev", environment: "hpc-prod"), Reasons.Ok, "github-users", "gh-octocat" },
        { "GitHub: actor without an account", () => GitHubToken("9919", "555", "refs/heads/dev", actor: "someone", environment: "hpc-prod"), Reasons.AccountNotFound, "github-users", null },
        { "GitHub: other organisation", () => GitHubToken("1234", "123456789", "refs/heads/main"), Reasons.PolicyNoMatch, null, null },

        // Token bounds: gitlab keeps the 24h max_lifetime and has no max_age (the executor
        // re-checks a running job's token); github has max_age 10m (clock_skew 30s).
        { "GitLab: 1h job timeout, token issued 1h4m ago", () => GitLabToken("alice", "hpc/solver", "4242", "hpc/solver", "4242", "42", issuedAgo: 3840, lifetime: TimeSpan.FromMinutes(65)), Reasons.Ok, "solver-protected", "alice" },
        { "GitLab: token living 24h and 1s", () => GitLabToken("alice", "hpc/solver", "4242", "hpc/solver", "4242", "42", lifetime: TimeSpan.FromSeconds(86401)), Reasons.TokenLifetimeTooLong, null, null },
        { "GitHub: token fetched 10m30s ago (max_age + skew)", () => GitHubToken("9919", "123456789", "refs/heads/main", issuedAgo: 630), Reasons.Ok, "github-benchmarks", "ci-runner" },
        { "GitHub: token fetched 10m31s ago", () => GitHubToken("9919", "123456789", "refs/heads/main", issuedAgo: 631), Reasons.TokenTooOld, null, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decides_as_documented(string name, Func<string> token, string reason, string? rule, string? user)
    {
        var decision = Authorizer.Value.Authorize(token());
        Assert.True(reason == decision.Reason, $"{name}: expected {reason}, got {decision.Reason} ({decision.Detail})");
        Assert.True(rule == decision.Rule, $"{name}: expected rule {rule ?? "(none)"}, got {decision.Rule ?? "(none)"}");
        Assert.Equal(user, decision.Allowed ? decision.Account!.Name : null);
    }
}
