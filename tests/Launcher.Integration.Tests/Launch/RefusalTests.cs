using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Launch;

/// <summary>
/// Every refusal of ci-launcher run: exit 125, exactly one stderr line with the reason code,
/// an audit record with that reason and the caller's uid, and no job (no report written).
/// </summary>
[Collection(InstalledSite.Collection)]
public sealed class RefusalTests(LaunchSite s) : IClassFixture<LaunchSite>
{
    private static string N(uint v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs the wrapper as <paramref name="caller"/> and checks the refusal end to end.</summary>
    private void AssertRefused(ConfigSite site, string reason, IReadOnlyList<string> runArgs, string reportUser, string? caller = null, string? wrapper = null)
    {
        string report = s.ReportOf(reportUser);
        LaunchSite.Forget(report);
        caller ??= s.Runner;
        var r = Proc.Run(LaunchSite.AsCaller(caller, wrapper ?? s.Wrapper, ["run", .. runArgs]));
        Assert.True(r.ExitCode == 125, $"exit {r.ExitCode}, stderr: {r.Stderr}");
        string line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"ci-launcher: {reason}: ", line);
        Assert.Equal("", r.Stdout);
        Assert.False(File.Exists(report), "the job ran");
        var record = AuditLog.Records(site.AuditPath).Last();
        Assert.Equal(reason, record.Str("reason"));
        Assert.NotEqual("allow", record.Str("decision"));
        Assert.Equal(N(Accounts.Uid(caller)), record.Str("caller_uid"));
    }

    [RootFact]
    public void A_token_mapping_to_root_is_refused()
    {
        var site = s.Configure(accounts: "accounts:\n  min_uid: 1000\n  deny_users: []\n");
        AssertRefused(site, "account.root", ["--token-file", site.TokenFile("root"), "--", s.Script], s.JobUser);
    }

    [RootFact]
    public void A_token_mapping_below_min_uid_is_refused()
    {
        var site = s.Configure();
        AssertRefused(site, "account.uid_below_min", ["--token-file", site.TokenFile(s.SystemUser), "--", s.Script], s.SystemUser);
    }

    [RootFact]
    public void A_missing_token_is_refused()
    {
        var site = s.Configure();
        AssertRefused(site, "token.missing", ["--", s.Script], s.JobUser);
    }

    [RootFact]
    public void A_token_file_the_caller_cannot_read_is_not_read_as_root()
    {
        var site = s.Configure();
        string token = site.TokenFile(s.JobUser);
        File.SetUnixFileMode(token, UnixFileMode.UserRead);
        AssertRefused(site, "token.missing", ["--token-file", token, "--", s.Script], s.JobUser);
    }

    [RootFact]
    public void A_symlinked_script_is_refused()
    {
        var site = s.Configure();
        string link = Path.Combine(s.Dir.Path, "link-" + Guid.NewGuid().ToString("N")[..6] + ".sh");
        File.CreateSymbolicLink(link, s.Script);
        AssertRefused(site, "launch.script_symlink", ["--token-file", site.TokenFile(s.JobUser), "--", link], s.JobUser);
    }

    [RootFact]
    public void A_script_the_job_user_cannot_read_is_refused()
    {
        var site = s.Configure();
        string secret = s.Dir.Write("secret-" + Guid.NewGuid().ToString("N")[..6] + ".sh", LaunchSite.JobScript, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AssertRefused(site, "launch.script_unreadable", ["--token-file", site.TokenFile(s.JobUser), "--", secret], s.JobUser);
    }

    [RootFact]
    public void A_group_writable_script_is_refused()
    {
        var site = s.Configure();
        string shared = s.Dir.Write("shared-" + Guid.NewGuid().ToString("N")[..6] + ".sh", LaunchSite.JobScript, (UnixFileMode)0b110_110_100);
        AssertRefused(site, "launch.script_mode", ["--token-file", site.TokenFile(s.JobUser), "--", shared], s.JobUser);
    }

    [RootFact]
    public void A_script_owned_by_another_user_is_refused()
    {
        var site = s.Configure();
        string foreign = s.Dir.Write("foreign-" + Guid.NewGuid().ToString("N")[..6] + ".sh", LaunchSite.JobScript, (UnixFileMode)0b110_100_100);
        Proc.Run("/bin/chown", [s.Outsider, foreign]);
        AssertRefused(site, "launch.script_owner", ["--token-file", site.TokenFile(s.JobUser), "--", foreign], s.JobUser);
    }

    [RootFact]
    public void A_caller_outside_the_group_cannot_execute_the_wrapper()
    {
        var site = s.Configure();
        var r = Proc.Run(LaunchSite.AsCaller(s.Outsider, s.Wrapper, ["run", "--token-file", site.TokenFile(s.JobUser), "--", s.Script]));
        Assert.Equal(126, r.ExitCode); // the shell's "cannot execute": the kernel refused, nothing of ours ran
        Assert.Contains("Permission denied", r.Stderr);
        Assert.Empty(AuditLog.Records(site.AuditPath));
    }

    [RootFact]
    public void A_caller_outside_the_group_is_refused_even_by_a_wrapper_installed_world_executable()
    {
        var site = s.Configure();
        string loose = s.Installed.WrapperWithMode("4755");
        AssertRefused(site, "launch.caller_not_in_group", ["--token-file", site.TokenFile(s.JobUser), "--", s.Script], s.JobUser, caller: s.Outsider, wrapper: loose);
    }

    [RootFact]
    public void Create_dirs_refuses_a_symlink_and_a_directory_owned_by_someone_else()
    {
        var site = s.Configure();
        string planted = Path.Combine(s.Work, s.Outsider);
        if (Directory.Exists(planted) && !File.GetAttributes(planted).HasFlag(FileAttributes.ReparsePoint)) Directory.Delete(planted, true);
        if (File.Exists(planted) || Directory.Exists(planted)) File.Delete(planted);
        File.CreateSymbolicLink(planted, "/etc");
        AssertRefused(site, "launch.directory", ["--token-file", site.TokenFile(s.Outsider), "--", s.Script], s.Outsider);
        Assert.Equal("0", Proc.Run("/usr/bin/stat", ["-c", "%u", "/etc"]).Stdout.Trim());

        File.Delete(planted);
        Directory.CreateDirectory(planted);
        Proc.Run("/bin/chown", [s.JobUser, planted]);
        AssertRefused(site, "launch.directory", ["--token-file", site.TokenFile(s.Outsider), "--", s.Script], s.Outsider);
        Directory.Delete(planted);
    }

    [RootFact]
    public void An_empty_argument_vector_is_refused_by_the_wrapper()
    {
        var site = s.Configure();
        // execve(wrapper, {NULL}, envp): argc 0, the pkexec (CVE-2021-4034) shape.
        string helper = s.CompileHelper("exec-argc0", """
            #include <stdio.h>
            #include <unistd.h>
            int main(int argc, char **argv, char **envp)
            {
                char *none[] = { NULL };
                if (argc < 2) return 2;
                execve(argv[1], none, envp);
                perror("execve");
                return 3;
            }
            """);
        var r = Proc.Run(LaunchSite.AsCaller(s.Runner, helper, [s.Wrapper]));
        Assert.Equal(125, r.ExitCode);
        Assert.Equal("ci-launcher-suid: launch.empty_argv: started with an empty argument vector; run it as 'ci-launcher-suid run ...'\n", r.Stderr);
        Assert.Empty(AuditLog.Records(site.AuditPath)); // refused before the launcher (and its audit trail) ran
    }

    [RootFact]
    public void The_installed_wrapper_is_hardened()
    {
        string wrapper = Dist.Require(Path.Combine(Dist.Dir, "ci-launcher-suid"));
        string header = Proc.Run("/usr/bin/readelf", ["-h", "-W", wrapper]).Stdout;
        Assert.Contains("DYN (Position-Independent Executable file)", header);
        string dynamic = Proc.Run("/usr/bin/readelf", ["-d", "-W", wrapper]).Stdout;
        Assert.Contains("BIND_NOW", dynamic);
        Assert.Contains("PIE", dynamic);
        string segments = Proc.Run("/usr/bin/readelf", ["-l", "-W", wrapper]).Stdout;
        Assert.Contains("GNU_RELRO", segments);
        var stack = segments.Split('\n').Single(l => l.Contains("GNU_STACK", StringComparison.Ordinal));
        Assert.DoesNotContain("RWE", stack);
        string symbols = Proc.Run("/usr/bin/readelf", ["--dyn-syms", "-W", wrapper]).Stdout;
        Assert.Contains("__stack_chk_fail", symbols);
        Assert.Contains("__snprintf_chk", symbols); // _FORTIFY_SOURCE took effect
    }
}
