using System.Diagnostics;
using Launcher.Pam.Tests.Support;

namespace Launcher.Pam.Tests;

/// <summary>
/// Thousands of authentications in one process through the C ABI (native/abi_stress), from one
/// thread and from several at once, each answer checked; and a config edit picked up by the
/// running library without a restart.
/// </summary>
public class StressTests
{
    private static string Cases(PamSite site, params (int Expected, string User, string Token)[] cases) =>
        site.File(string.Join("\n", cases.Select(c => $"{c.Expected} {c.User} {site.File(c.Token)}")) + "\n");

    private static (int Expected, string User, string Token)[] Mixed(PamSite site) =>
    [
        (0, PamSite.Alice, site.Compact(PamSite.Alice)),
        (1, PamSite.Bob, site.Compact(PamSite.Alice)),
        (0, PamSite.Bob, site.GitLab(PamSite.Bob)),
        (1, PamSite.Alice, site.Compact(PamSite.Alice, key: site.Forged)),
        (1, PamSite.Alice, site.Compact(PamSite.Alice, lifetime: -3600)),
        (2, "clpamnobody", site.Compact("clpamnobody")),
        (1, PamSite.Alice, "not-a-token"),
    ];

    private static ProcResult Stress(PamSite site, int threads, int iterations, string? stdin, params string[] caseFiles) =>
        Proc.Run(site.AbiStress, [PamSite.Library, site.ConfigPath, threads.ToString(), iterations.ToString(), .. caseFiles],
            new Dictionary<string, string> { ["NSS_WRAPPER_PASSWD"] = site.PasswdPath, ["NSS_WRAPPER_GROUP"] = site.GroupPath, ["LD_PRELOAD"] = "libnss_wrapper.so" },
            stdin, TimeSpan.FromMinutes(5));

    [Theory]
    [InlineData(1, 2000)]
    [InlineData(4, 750)]
    public void Thousands_of_authentications_in_one_process_stay_correct(int threads, int iterations)
    {
        using var site = new PamSite();
        // Every call writes (and fsyncs) one audit line; concurrent writers must not lose any.
        var r = Stress(site, threads, iterations, null, Cases(site, Mixed(site)));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains($"calls={threads * iterations} mismatches=0", r.Stdout);
        var lines = File.ReadAllLines(site.AuditPath);
        Assert.Equal(threads * iterations + 1, lines.Length);
        // Never interleaved, never torn: each line is one whole record.
        Assert.All(lines, l => Assert.True(System.Text.Json.JsonDocument.Parse(l).RootElement.TryGetProperty("command", out _), l));
    }

    [Fact]
    public void A_config_change_is_picked_up_without_a_restart()
    {
        using var site = new PamSite();
        string token = site.Compact(PamSite.Alice);
        string before = Cases(site, (0, PamSite.Alice, token));
        string after = Cases(site, (1, PamSite.Alice, token));
        var psi = new ProcessStartInfo(site.AbiStress) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { PamSite.Library, site.ConfigPath, "2", "200", before, after }) psi.ArgumentList.Add(a);
        psi.Environment["NSS_WRAPPER_PASSWD"] = site.PasswdPath;
        psi.Environment["NSS_WRAPPER_GROUP"] = site.GroupPath;
        psi.Environment["LD_PRELOAD"] = "libnss_wrapper.so";
        using var p = Process.Start(psi)!;
        try
        {
            string? line;
            while ((line = p.StandardOutput.ReadLine()) is not null && line != "phase 1 done")
                Assert.DoesNotContain("mismatches=1", line);
            Assert.Equal("phase 1 done", line);
            // Same path, new content: the rule now allows only web/** projects.
            File.WriteAllText(site.ConfigPath, site.Config(allowProject: "web/**"));
            p.StandardInput.WriteLine("go");
            p.StandardInput.Close();
            string rest = p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(120_000));
            Assert.True(p.ExitCode == 0, rest + p.StandardError.ReadToEnd());
            Assert.Contains("phase=2 calls=400 mismatches=0", rest);
            Assert.Contains("\"reason\":\"policy.no_match\"", File.ReadAllText(site.AuditPath));
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
    }
}
