using Launcher.Core.Accounts;
using Launcher.Core.Config;
using Launcher.Core.Launch;

namespace Launcher.Core.Tests.Launch;

/// <summary>The job's whole environment from the allowlist: exactly what is listed, never what is dangerous or the token.</summary>
public class JobEnvironmentTests
{
    private static readonly Account Alice = new("alice", 1500, 1500, "/home/alice", "/bin/zsh", [new GroupEntry(1500, "alice")]);
    private static readonly string[] TokenVariables = ["CI_LAUNCHER_ID_TOKEN"];

    private static readonly Dictionary<string, string> Caller = new()
    {
        ["LANG"] = "C.UTF-8",
        ["CUSTOM_ENV_CI_JOB_ID"] = "77",
        ["CUSTOM_ENV_CI_LAUNCHER_ID_TOKEN"] = "eyJ.token.sig",
        ["CI_LAUNCHER_ID_TOKEN"] = "eyJ.token.sig",
        ["HOME"] = "/root",
        ["PATH"] = "/tmp/evil:/usr/bin",
        ["BASH_ENV"] = "/tmp/evil.sh",
        ["LD_PRELOAD"] = "/tmp/evil.so",
        ["UNLISTED"] = "x",
    };

    private static LaunchSettings Settings(bool passToken = false) => new()
    {
        Env = ["LANG", "CUSTOM_ENV_*", "BASH_ENV", "LD_PRELOAD", "HOME"],
        PassToken = passToken,
        Path = "/usr/bin:/bin",
    };

    [Fact]
    public void Passes_only_allowed_variables_and_sets_the_account_ones()
    {
        var env = JobEnvironment.Build(Settings(), Alice, Caller, TokenVariables).ToDictionary();
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["CUSTOM_ENV_CI_JOB_ID"] = "77",
                ["HOME"] = "/home/alice",
                ["LANG"] = "C.UTF-8",
                ["LOGNAME"] = "alice",
                ["PATH"] = "/usr/bin:/bin",
                ["SHELL"] = "/bin/zsh",
                ["USER"] = "alice",
            },
            env);
    }

    [Fact]
    public void The_token_reaches_the_job_only_with_pass_token()
    {
        var without = JobEnvironment.Build(Settings(), Alice, Caller, TokenVariables, new("CI_LAUNCHER_ID_TOKEN", "verified"));
        Assert.DoesNotContain(without, kv => kv.Value.Contains("token", StringComparison.Ordinal) || kv.Value == "verified");

        var with = JobEnvironment.Build(Settings(passToken: true), Alice, Caller, TokenVariables, new("CI_LAUNCHER_ID_TOKEN", "verified")).ToDictionary();
        Assert.Equal("verified", with["CI_LAUNCHER_ID_TOKEN"]);
        Assert.False(with.ContainsKey("CUSTOM_ENV_CI_LAUNCHER_ID_TOKEN"));
    }

    [Theory]
    [InlineData("BASH_ENV", true)]
    [InlineData("LD_LIBRARY_PATH", true)]
    [InlineData("BASH_FUNC_ls%%", true)]
    [InlineData("GLIBC_TUNABLES", true)]
    [InlineData("DOTNET_gcServer", true)]
    [InlineData("SHELLOPTS", true)]
    [InlineData("LANG", false)]
    [InlineData("CUSTOM_ENV_BASH_ENV", false)]
    public void Dangerous_names(string name, bool dangerous) => Assert.Equal(dangerous, EnvironmentNames.IsDangerous(name));
}
