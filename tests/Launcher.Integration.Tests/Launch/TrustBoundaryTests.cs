using System.Diagnostics;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Launch;

/// <summary>
/// The set-id trust boundary, attacked as a member of the caller group would: choosing the
/// config (also while racing a symlink swap), reading root-only files through error messages,
/// probing what exists in directories the caller cannot search, and running the administrative
/// commands. Each refusal is one line with a reason code and, where the installation's config
/// names an audit file, an audit record.
/// </summary>
[Collection(InstalledSite.Collection)]
public sealed class TrustBoundaryTests(LaunchSite s) : IClassFixture<LaunchSite>
{
    /// <summary>A line of /etc/shadow that no refusal may ever print: root's entry.</summary>
    private static readonly string ShadowRoot = File.ReadLines("/etc/shadow").First(l => l.StartsWith("root:", StringComparison.Ordinal));

    private ProcResult AsRunner(params string[] args) => Proc.Run(LaunchSite.AsCaller(s.Runner, s.Wrapper, args));

    private static string OneLine(ProcResult r) => Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    [RootFact]
    public void A_caller_cannot_choose_the_config_and_the_refusal_is_audited()
    {
        var site = s.Configure();
        int before = AuditLog.Records(site.AuditPath).Count;
        // Even a root-owned, perfectly valid config (the one the installation uses, at another path) is refused.
        var r = AsRunner("validate", "--config", site.ConfigPath, "--token-file", site.TokenFile(s.JobUser));
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("ci-launcher: config.caller_chosen: ", OneLine(r));
        Assert.Equal("", r.Stdout);
        var record = AuditLog.Records(site.AuditPath).Skip(before).Single();
        Assert.Equal("config.caller_chosen", record.Str("reason"));
        Assert.Equal(Accounts.Uid(s.Runner).ToString(System.Globalization.CultureInfo.InvariantCulture), record.Str("caller_uid"));

        // Naming the installation's own path is no choice at all, and works.
        var same = AsRunner("validate", "--config", s.InstalledConfig, "--token-file", site.TokenFile(s.JobUser));
        Assert.True(same.ExitCode == 0, same.Stderr);
    }

    [RootFact]
    public void A_symlink_swap_race_on_a_caller_chosen_config_never_wins()
    {
        var site = s.Configure();
        // The caller's own directory with a config of its own (allowing everything as anyone) and a
        // link it flips between that and the real config by rename(2), as fast as it can.
        string dir = Path.Combine(s.Dir.Path, "race-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        Proc.Run("/bin/chown", [s.Runner, dir]);
        string evil = Path.Combine(dir, "evil.yaml");
        File.WriteAllText(evil, File.ReadAllText(site.ConfigPath).Replace("project_path: \"hpc/**\"", "project_path: \"**\"", StringComparison.Ordinal));
        Proc.Run("/bin/chown", [s.Runner, evil]);
        string link = Path.Combine(dir, "config.yaml");
        string flip = $"cd {dir} && while :; do ln -sfn {site.ConfigPath} a && mv -T a config.yaml; ln -sfn {evil} b && mv -T b config.yaml; done";
        using var flipper = Process.Start(LaunchSite.AsCaller(s.Runner, "/bin/sh", ["-c", flip]))!;
        s.Accounts.Track(flipper.Id);
        try
        {
            string token = site.TokenFile(s.JobUser, c => c["project_path"] = "elsewhere/tool");
            var deadline = DateTime.UtcNow.AddSeconds(3);
            int attempts = 0;
            while (DateTime.UtcNow < deadline)
            {
                var r = AsRunner("validate", "--config", link, "--token-file", token);
                Assert.Equal(2, r.ExitCode);
                Assert.StartsWith("ci-launcher: config.caller_chosen: ", OneLine(r));
                attempts++;
            }
            Assert.True(attempts > 5, $"only {attempts} attempts");
        }
        finally
        {
            flipper.Kill(entireProcessTree: true);
            flipper.WaitForExit();
        }
    }

    [RootFact]
    public void Root_never_trusts_a_path_through_a_directory_someone_else_can_change_whatever_its_content_at_the_moment()
    {
        var site = s.Configure();
        // Root itself pointed at a config below the runner's directory: the runner swaps the real
        // config and its own in and out; the walk judges what it opened, so every attempt is refused.
        string dir = Path.Combine(s.Dir.Path, "rootrace-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        Proc.Run("/bin/chown", [s.Runner, dir]);
        string flip = $"cd {dir} && while :; do ln -sfn {site.ConfigPath} a && mv -T a config.yaml; cp {site.ConfigPath} b && mv -T b config.yaml; done";
        using var flipper = Process.Start(LaunchSite.AsCaller(s.Runner, "/bin/sh", ["-c", flip]))!;
        s.Accounts.Track(flipper.Id);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(2);
            while (DateTime.UtcNow < deadline)
            {
                var r = Proc.Run(s.Launcher, ["check-config", "--config", Path.Combine(dir, "config.yaml")]);
                Assert.Equal(2, r.ExitCode);
                Assert.Contains("config.untrusted", r.Stderr);
                Assert.DoesNotContain("configuration OK", r.Stdout);
            }
        }
        finally
        {
            flipper.Kill(entireProcessTree: true);
            flipper.WaitForExit();
        }
    }

    [RootFact]
    public void Root_only_files_leak_no_byte_through_any_option()
    {
        s.Configure();
        foreach (var args in new[]
        {
            new[] { "check-config", "--config", "/etc/shadow" },
            ["validate", "--config", "/etc/shadow", "--token-file", "/etc/shadow"],
            ["validate", "--token-file", "/etc/shadow"],
            ["explain", "--token-file", "/etc/shadow"],
            ["run", "--config", "/etc/shadow", "--", s.Script],
            ["run", "--token-file", "/etc/shadow", "--", s.Script],
        })
        {
            var r = AsRunner(args);
            Assert.NotEqual(0, r.ExitCode);
            string all = r.Stdout + r.Stderr;
            Assert.DoesNotContain(ShadowRoot, all);
            Assert.DoesNotContain("root:", all);
            Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    [RootFact]
    public void A_broken_root_only_config_is_reported_by_place_never_by_content()
    {
        var site = s.Configure();
        string secret = "s3cr3t-" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllText(s.InstalledConfig, File.ReadAllText(site.ConfigPath) + $"\n{secret}: [unbalanced\n");
        File.SetUnixFileMode(s.InstalledConfig, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            var r = AsRunner("validate", "--token-file", site.TokenFile(s.JobUser));
            Assert.Equal(2, r.ExitCode);
            string line = OneLine(r);
            Assert.StartsWith($"ci-launcher: config.invalid: {s.InstalledConfig}:", line);
            Assert.DoesNotContain(secret, r.Stdout + r.Stderr);
            Assert.DoesNotContain("unbalanced", r.Stdout + r.Stderr);
            // Root gets the details.
            var root = Proc.Run(s.Launcher, ["check-config"]);
            Assert.Equal(2, root.ExitCode);
            Assert.Contains(s.InstalledConfig, root.Stderr);
        }
        finally
        {
            s.Configure();
        }
    }

    [RootFact]
    public void Whether_a_file_exists_in_a_directory_the_caller_cannot_search_is_not_answered()
    {
        var site = s.Configure();
        string hidden = Path.Combine(s.Dir.Path, "private-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(hidden);
        File.SetUnixFileMode(hidden, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string exists = Path.Combine(hidden, "token");
        File.WriteAllText(exists, site.Token(s.JobUser));
        File.SetUnixFileMode(exists, (UnixFileMode)0b110_100_100);
        string missing = Path.Combine(hidden, "nothing");

        foreach (var command in new[] { "validate", "run" })
        {
            string[] Args(string file) => command == "run" ? ["run", "--token-file", file, "--", s.Script] : ["validate", "--token-file", file];
            var a = AsRunner(Args(exists));
            var b = AsRunner(Args(missing));
            Assert.Equal(a.ExitCode, b.ExitCode);
            Assert.Equal(a.Stderr.Replace(exists, "FILE", StringComparison.Ordinal), b.Stderr.Replace(missing, "FILE", StringComparison.Ordinal));
            Assert.Contains("Permission denied", a.Stderr);
        }
    }

    [RootFact]
    public void Administrative_commands_are_root_only_through_the_wrapper()
    {
        var site = s.Configure();
        foreach (var args in new[]
        {
            new[] { "check-config" },
            ["explain", "--token-file", site.TokenFile(s.JobUser)],
            ["jwks", "refresh"],
            ["keys", "list"],
            ["jwks", "export"],
        })
        {
            int before = AuditLog.Records(site.AuditPath).Count;
            var r = AsRunner(args);
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("ci-launcher: admin.root_only: ", OneLine(r));
            Assert.Equal("", r.Stdout);
            Assert.Equal("admin.root_only", AuditLog.Records(site.AuditPath).Skip(before).Single().Str("reason"));
        }
        // The caller's own decision stays available.
        var mine = AsRunner("validate", "--json", "--token-file", site.TokenFile(s.JobUser));
        Assert.True(mine.ExitCode == 0, mine.Stderr);
        Assert.Contains("\"allowed\": true", mine.Stdout);
    }

    [RootFact]
    public void Files_the_launcher_creates_for_a_caller_belong_to_root_and_roots_group()
    {
        var site = s.Configure();
        Assert.False(File.Exists(site.AuditPath));
        var r = AsRunner("validate", "--token-file", site.TokenFile(s.JobUser));
        Assert.True(r.ExitCode == 0, r.Stderr);
        // Created by the set-id launcher: the caller's group would be one chmod g+r away from reading it.
        var stat = Proc.Run("/usr/bin/stat", ["-c", "%u %g %a", site.AuditPath]);
        Assert.Equal("0 0 600", stat.Stdout.Trim());
    }
}
