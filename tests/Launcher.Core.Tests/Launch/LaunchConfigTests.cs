using Launcher.Core.Config;
using Launcher.Core.Launch;
using Launcher.Core.Tests.Support;

namespace Launcher.Core.Tests.Launch;

/// <summary>The <c>launch:</c> section: defaults, and every refusal with the key and line it names.</summary>
public class LaunchConfigTests
{
    private static (SiteConfig? Config, IReadOnlyList<ConfigError> Errors) Parse(string launch) =>
        ConfigLoader.Parse("/etc/ci-launcher/config.yaml", MemorySite.DefaultYaml() + "\nlaunch:\n" + launch);

    [Fact]
    public void Without_a_launch_section_the_safe_defaults_apply()
    {
        var (config, errors) = ConfigLoader.Parse("/etc/ci-launcher/config.yaml", MemorySite.DefaultYaml());
        Assert.Empty(errors);
        var l = config!.Launch;
        Assert.Equal("ci-launcher", l.CallerGroup);
        Assert.True(l.NoNewPrivs);
        Assert.Equal(0x3Fu, l.Umask);
        Assert.Equal("{home}", l.Workdir.Source);
        Assert.Equal("/bin/bash", l.Shell);
        Assert.False(l.PassToken);
        Assert.Equal(TimeSpan.FromSeconds(30), l.KillTimeout);
        Assert.Empty(l.CreateDirs);
        Assert.Equal(Downscope.Setuid, l.Downscope);
        Assert.Equal(Containment.Auto, l.Containment);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var (config, errors) = Parse("""
              caller_group: runners
              no_new_privs: false
              umask: "027"
              workdir: /scratch/ci/{user}
              shell: /usr/bin/bash
              path: /opt/bin:/usr/bin
              env: [LANG, "CUSTOM_ENV_*"]
              pass_token: true
              kill_timeout: 1m30s
              create_dirs: ["/scratch/ci/{user}", "{home}/.ci"]
              downscope: none
              containment: process_group
            """);
        Assert.Empty(errors);
        var l = config!.Launch;
        Assert.Equal("runners", l.CallerGroup);
        Assert.False(l.NoNewPrivs);
        Assert.Equal(0x17u, l.Umask);
        Assert.Equal("/scratch/ci/{user}", l.Workdir.Source);
        Assert.Equal("/usr/bin/bash", l.Shell);
        Assert.Equal("/opt/bin:/usr/bin", l.Path);
        Assert.Equal(["LANG", "CUSTOM_ENV_*"], l.Env);
        Assert.True(l.PassToken);
        Assert.Equal(TimeSpan.FromSeconds(90), l.KillTimeout);
        Assert.Equal(["/scratch/ci/{user}", "{home}/.ci"], l.CreateDirs.Select(d => d.Source));
        Assert.Equal(Downscope.None, l.Downscope);
        Assert.Equal(Containment.ProcessGroup, l.Containment);
    }

    [Theory]
    [InlineData("auto", Containment.Auto)]
    [InlineData("cgroup", Containment.Cgroup)]
    [InlineData("process_group", Containment.ProcessGroup)]
    public void Containment_is_read(string value, Containment expected)
    {
        var (config, errors) = Parse($"  containment: {value}\n");
        Assert.Empty(errors);
        Assert.Equal(expected, config!.Launch.Containment);
    }

    public static TheoryData<string, string, string, string> Refusals => new()
    {
        { "umask as a decimal", "  umask: \"77\"\n", "launch.umask", "not an octal umask" },
        { "umask without o-w", "  umask: \"020\"\n", "launch.umask", "world-writable" },
        { "umask with a non-octal digit", "  umask: \"089\"\n", "launch.umask", "not an octal umask" },
        { "relative workdir", "  workdir: scratch/{user}\n", "launch.workdir", "absolute" },
        { "unknown placeholder", "  workdir: /scratch/{project}\n", "launch.workdir", "unknown placeholder '{project}'" },
        { "workdir climbing out", "  workdir: /scratch/{user}/../root\n", "launch.workdir", "'..'" },
        { "relative shell", "  shell: bash\n", "launch.shell", "absolute" },
        { "empty path entry", "  path: /usr/bin::/bin\n", "launch.path", "current directory" },
        { "relative path entry", "  path: bin:/usr/bin\n", "launch.path", "absolute" },
        { "BASH_ENV allowed", "  env: [BASH_ENV]\n", "launch.env[0]", "shell or the loader" },
        { "LD_ prefix allowed", "  env: [\"LD_*\"]\n", "launch.env[0]", "shell or the loader" },
        { "prefix covering BASH_ENV", "  env: [\"BASH*\"]\n", "launch.env[0]", "shell or the loader" },
        { "HOME from the caller", "  env: [HOME]\n", "launch.env[0]", "set by ci-launcher" },
        { "bad variable name", "  env: [\"A-B\"]\n", "launch.env[0]", "not a variable name" },
        { "everything", "  env: [\"*\"]\n", "launch.env[0]", "not a variable name" },
        { "token variable listed", "  env: [CI_LAUNCHER_ID_TOKEN]\n", "launch.env[0]", "pass_token" },
        { "zero kill_timeout", "  kill_timeout: 0s\n", "launch.kill_timeout", "positive duration" },
        { "kill_timeout not a duration", "  kill_timeout: soon\n", "launch.kill_timeout", "positive duration" },
        { "create_dirs shared by everyone", "  create_dirs: [/scratch/ci]\n", "launch.create_dirs[0]", "same directory for every user" },
        { "create_dirs relative", "  create_dirs: [\"ci/{user}\"]\n", "launch.create_dirs[0]", "absolute" },
        { "unknown downscope", "  downscope: sudo\n", "launch.downscope", "'setuid'" },
        { "unknown containment", "  containment: jail\n", "launch.containment", "'auto'" },
        { "containment in another spelling", "  containment: process-group\n", "launch.containment", "'process_group'" },
        { "containment not a word", "  containment: \"\"\n", "launch.containment", "must be" },
        { "bad caller group", "  caller_group: \"bad group\"\n", "launch.caller_group", "bad group" },
        { "unknown key", "  umask_mode: \"077\"\n", "yaml", "unknown key 'umask_mode'" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refuses(string name, string launch, string key, string fragment)
    {
        var (config, errors) = Parse(launch);
        Assert.Null(config);
        var error = Assert.Single(errors);
        Assert.True(error.Key == key, $"{name}: expected key {key}, got {error.Key}: {error.Message}");
        Assert.Contains(fragment, error.Message);
        Assert.True(error.Line > 0, $"{name}: no line number");
    }
}
