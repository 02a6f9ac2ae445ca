using Launcher.Core.Executor;
using Launcher.Core.Policy;

namespace Launcher.Core.Tests.Executor;

public class CustomEnvironmentTests
{
    private static readonly HashSet<string> TokenVariables = ["CI_LAUNCHER_ID_TOKEN"];

    private static List<Glob> Allow(params string[] patterns) =>
        patterns.Select(p => Glob.Parse(p).Value).ToList();

    private static readonly Dictionary<string, string> Stage = new()
    {
        ["CUSTOM_ENV_CI_JOB_ID"] = "1001",
        ["CUSTOM_ENV_CI_PROJECT_PATH"] = "hpc/solver",
        ["CUSTOM_ENV_CI_LAUNCHER_ID_TOKEN"] = "eyJ.x.y",
        ["CUSTOM_ENV_LD_PRELOAD"] = "/tmp/evil.so",
        ["CUSTOM_ENV_PATH"] = "/tmp/evil",
        ["CUSTOM_ENV_BASH_ENV"] = "/tmp/evil.sh",
        ["CUSTOM_ENV_CI_JOB_JWT"] = "eyJ.a.b",
        ["JOB_RESPONSE_FILE"] = "/tmp/job.json",
        ["HOME"] = "/root",
        ["MY_VAR"] = "not custom",
    };

    [Fact]
    public void Nothing_passes_without_an_allowlist() => Assert.Empty(CustomEnvironment.Select(Stage, [], TokenVariables));

    [Fact]
    public void Only_allowlisted_custom_variables_pass_without_prefix()
    {
        var env = CustomEnvironment.Select(Stage, Allow("CI_JOB_ID"), TokenVariables);
        Assert.Equal(new Dictionary<string, string> { ["CI_JOB_ID"] = "1001" }, env);
    }

    [Fact]
    public void A_wildcard_never_lets_tokens_or_loader_variables_through()
    {
        var env = CustomEnvironment.Select(Stage, Allow("*"), TokenVariables);
        Assert.Equal(["CI_JOB_ID", "CI_PROJECT_PATH"], env.Keys);
    }

    [Theory]
    [InlineData("CI_LAUNCHER_ID_TOKEN", "ID token")]
    [InlineData("LD_PRELOAD", "loader")]
    [InlineData("PATH", "reserved")]
    [InlineData("BASH_ENV", "shell")]
    [InlineData("SSL_CERT_FILE", "reserved prefix")]
    [InlineData("TMPDIR", "executor sets it")]
    [InlineData("CI_JOB_JWT_V2", "reserved")]
    [InlineData("1ABC", "plain variable name")]
    [InlineData("A-B", "plain variable name")]
    public void Names_that_can_never_pass(string name, string expected) =>
        Assert.Contains(expected, CustomEnvironment.CheckName(name, TokenVariables)?.Detail);
}
