using Launcher.Core.Config;
using Launcher.Core.Executor;
using Launcher.Core.Tests.Support;

namespace Launcher.Core.Tests.Executor;

public class ExecutorConfigTests
{
    private static (SiteConfig? Config, IReadOnlyList<ConfigError> Errors) Parse(string executor) =>
        ConfigLoader.Parse("/etc/ci-launcher/config.yaml", MemorySite.DefaultYaml() + "\n" + executor);

    [Fact]
    public void No_section_means_no_executor()
    {
        var (config, errors) = ConfigLoader.Parse("/etc/ci-launcher/config.yaml", MemorySite.DefaultYaml());
        Assert.Empty(errors);
        Assert.Null(config!.Executor);
    }

    [Fact]
    public void A_full_section_loads()
    {
        var (config, errors) = Parse("""
            executor:
              builds_dir: /scratch/ci/{user}/builds/{runner_id}
              cache_dir: /scratch/ci/{user}/cache/{runner_id}
              temp_dir: /scratch/ci/{user}/tmp/{job_id}
              state_dir: /run/ci-launcher/executor
              hostname: hpc-login1
              env_allowlist: [CI_JOB_ID, "CI_PROJECT_*"]
              prepare_hook: /etc/ci-launcher/prepare-hook.sh
            """);
        Assert.Empty(errors);
        var e = config!.Executor!;
        Assert.Equal("/scratch/ci/{user}/builds/{runner_id}", e.BuildsDir.Source);
        Assert.Equal("/scratch/ci/{user}/tmp/{job_id}", e.TempDir!.Source);
        Assert.Equal(2, e.EnvAllowlist.Count);
        Assert.Equal("hpc-login1", e.Hostname);
    }

    [Theory]
    [InlineData("builds_dir missing", "executor:\n  cache_dir: /c/{user}\n", "executor.builds_dir", "is required")]
    [InlineData("shared builds dir", "executor:\n  builds_dir: /builds/{runner_id}\n  cache_dir: /c/{user}\n", "executor.builds_dir", "{user} or {uid}")]
    [InlineData("claim placeholder", "executor:\n  builds_dir: /b/{user}/{project_path}\n  cache_dir: /c/{user}\n", "executor.builds_dir", "placeholders are")]
    [InlineData("dot-dot", "executor:\n  builds_dir: /b/{user}\n  cache_dir: /c/../{user}\n", "executor.cache_dir", "'..'")]
    [InlineData("temp without job", "executor:\n  builds_dir: /b/{user}\n  cache_dir: /c/{user}\n  temp_dir: /t/{user}\n", "executor.temp_dir", "{job_id}")]
    [InlineData("state with placeholder", "executor:\n  builds_dir: /b/{user}\n  cache_dir: /c/{user}\n  state_dir: /run/{user}\n", "executor.state_dir", "fixed absolute")]
    [InlineData("relative hook", "executor:\n  builds_dir: /b/{user}\n  cache_dir: /c/{user}\n  prepare_hook: hook.sh\n", "executor.prepare_hook", "absolute")]
    [InlineData("token in allowlist", "executor:\n  builds_dir: /b/{user}\n  cache_dir: /c/{user}\n  env_allowlist: [CI_LAUNCHER_ID_TOKEN]\n", "executor.env_allowlist[0]", "ID token")]
    [InlineData("prefixed allowlist", "executor:\n  builds_dir: /b/{user}\n  cache_dir: /c/{user}\n  env_allowlist: [CUSTOM_ENV_X-Y]\n", "executor.env_allowlist[0]", "variable name")]
    [InlineData("bad hostname", "executor:\n  builds_dir: /b/{user}\n  cache_dir: /c/{user}\n  hostname: \"a b\"\n", "executor.hostname", "host name")]
    [InlineData("unknown key", "executor:\n  builds_dir: /b/{user}\n  cache_dir: /c/{user}\n  build_dir: /x\n", "yaml", "unknown key 'build_dir'")]
    public void Refuses_with_the_key_and_line(string name, string section, string key, string expected)
    {
        var (config, errors) = Parse(section);
        Assert.Null(config);
        var error = Assert.Single(errors);
        Assert.True(error.Key == key && error.Message.Contains(expected, StringComparison.Ordinal), $"{name}: {error}");
        Assert.True(error.Line > 0, $"{name}: no line number in {error}");
    }

    [Theory]
    [InlineData("user above the job", "/scratch/ci/{user}/tmp/{job_id}", false)]
    [InlineData("user and job in one component", "/scratch/ci/{user}-{job_id}", true)]
    [InlineData("uid alone at the end", "/scratch/{job_id}/{uid}", true)]
    public void Warns_when_cleanup_could_not_remove_the_job_directory(string name, string tempDir, bool warned)
    {
        var (config, errors) = Parse($"executor:\n  builds_dir: /b/{{user}}\n  cache_dir: /c/{{user}}\n  temp_dir: {tempDir}\n");
        Assert.Empty(errors);
        bool found = config!.Warnings.Any(w => w.StartsWith("executor.temp_dir", StringComparison.Ordinal) && w.Contains("can empty it but not remove it", StringComparison.Ordinal));
        Assert.True(warned == found, $"{name}: {string.Join("; ", config.Warnings)}");
    }
}
