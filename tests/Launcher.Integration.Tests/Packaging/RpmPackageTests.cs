using System.Globalization;
using System.Text.RegularExpressions;
using Launcher.Integration.Tests.Support;
using Launcher.TestIssuer;
using Xunit.Abstractions;

namespace Launcher.Integration.Tests.Packaging;

/// <summary>
/// The RPM as a sysadmin receives it: what it installs with which owner and mode, that the
/// installed binary and default configuration work from their installed places, that the default
/// denies every job, and that the recorded glibc floor is the one the binaries need.
/// </summary>
public class RpmPackageTests(RpmPackageFixture rpm, ITestOutputHelper output) : IClassFixture<RpmPackageFixture>
{
    private const string DefaultConfig = "/etc/ci-launcher/config.yaml";
    private const string UnitDir = "/usr/lib/systemd/system";
    private static readonly string[] Units = ["ci-launcher-jwks-refresh.service", "ci-launcher-jwks-refresh.timer"];

    /// <summary>Every path the package must hold: mode string as 'rpm -qlv' prints it, owner, group.</summary>
    public static TheoryData<string, string, string, string> ExpectedFiles()
    {
        var d = new TheoryData<string, string, string, string>
        {
            { "/usr/bin/ci-launcher", "-rwxr-xr-x", "root", "root" },
            { "/etc/ci-launcher", "drwxr-xr-x", "root", "root" },
            // Readable by root only: the policy says who may become whom.
            { DefaultConfig, "-rw-r-----", "root", "root" },
            { "/var/lib/ci-launcher", "drwxr-xr-x", "root", "root" },
            { "/var/lib/ci-launcher/jwks", "drwxr-xr-x", "root", "root" },
            { "/var/log/ci-launcher", "drwx------", "root", "root" },
            { $"{UnitDir}/ci-launcher-jwks-refresh.service", "-rw-r--r--", "root", "root" },
            { $"{UnitDir}/ci-launcher-jwks-refresh.timer", "-rw-r--r--", "root", "root" },
            { "/usr/lib/tmpfiles.d/ci-launcher.conf", "-rw-r--r--", "root", "root" },
            { "/etc/logrotate.d/ci-launcher", "-rw-r--r--", "root", "root" },
            { "/usr/share/man/man8/ci-launcher.8.gz", "-rw-r--r--", "root", "root" },
            { "/usr/share/man/man5/ci-launcher.yaml.5.gz", "-rw-r--r--", "root", "root" },
            { "/usr/share/doc/ci-launcher", "drwxr-xr-x", "root", "root" },
            { "/usr/share/doc/ci-launcher/ADMIN.md", "-rw-r--r--", "root", "root" },
            { "/usr/share/doc/ci-launcher/README.md", "-rw-r--r--", "root", "root" },
            { "/usr/libexec/ci-launcher", "drwxr-xr-x", "root", "root" },
            // What 'ci-launcher jwks refresh' execs (HttpClient stays out of the binary every job starts).
            { "/usr/libexec/ci-launcher/ci-launcher-jwks-refresh", "-rwxr-xr-x", "root", "root" },
        };
        if (RpmPackageFixture.HasSuidWrapper)
        {
            // setuid root, and only root and the ci-launcher group (the runner account) may execute it.
            d.Add("/usr/libexec/ci-launcher/ci-launcher-suid", "-rwsr-x---", "root", "ci-launcher");
        }
        if (RpmPackageFixture.HasPamModule)
        {
            d.Add("/usr/lib64/security/pam_ci_launcher.so", "-rwxr-xr-x", "root", "root");
            d.Add("/usr/lib64/security/libci-launcher-pam.so", "-rwxr-xr-x", "root", "root");
        }
        if (RpmPackageFixture.HasPamManPage)
            d.Add("/usr/share/man/man8/pam_ci_launcher.8.gz", "-rw-r--r--", "root", "root");
        return d;
    }

    [Theory]
    [MemberData(nameof(ExpectedFiles))]
    public void Package_installs_the_file_with_its_owner_and_mode(string path, string mode, string owner, string group)
    {
        var entry = rpm.Listing.SingleOrDefault(e => e.Path == path);
        Assert.True(entry is not null, $"{path} is not in {rpm.RpmPath}; the package holds:\n{string.Join('\n', rpm.Listing)}");
        Assert.Equal(new RpmEntry(mode, owner, group, path), entry);
    }

    [Fact]
    public void Rpm_qlvp_shows_every_file_with_the_same_mode_and_owner()
    {
        var lines = rpm.Query("-qlvp");
        Assert.Equal(rpm.Listing.Count, lines.Count);
        Assert.All(rpm.Listing, e => Assert.True(lines.Any(e.IsShownBy), $"'rpm -qlvp' does not show {e}:\n{string.Join('\n', lines)}"));
    }

    [Fact]
    public void Package_holds_nothing_else()
    {
        var expected = ExpectedFiles().Select(row => (string)row[0]).ToHashSet();
        // Documentation beyond the two guides (annotated example config, runner examples) may vary.
        var unexpected = rpm.Listing.Where(e => !expected.Contains(e.Path) && !e.Path.StartsWith("/usr/share/doc/ci-launcher/", StringComparison.Ordinal));
        Assert.Empty(unexpected);
        Assert.All(rpm.Listing.Where(e => e.Path.StartsWith("/usr/share/doc/ci-launcher/", StringComparison.Ordinal)),
            e => Assert.Equal(("-rw-r--r--", "root", "root"), (e.Mode, e.Owner, e.Group)));
    }

    [Fact]
    public void Config_and_logrotate_entry_are_never_replaced_on_upgrade()
    {
        // FILEFLAGS 'c' = %config, 'n' = noreplace: an upgrade leaves the site's edits and writes .rpmnew.
        var flags = rpm.Query("-qp", "--qf", "[%{FILENAMES} %{FILEFLAGS:fflags}\\n]")
            .Select(l => l.Split(' ')).Where(f => f.Length == 2 && f[1].Contains('c')).ToDictionary(f => f[0], f => f[1]);
        Assert.Equal(new[] { "/etc/ci-launcher/config.yaml", "/etc/logrotate.d/ci-launcher" }, flags.Keys.Order());
        Assert.All(flags.Values, f => Assert.Contains('n', f));
    }

    [Fact]
    public void Package_requires_its_runtime_and_provides_nothing_private()
    {
        var requires = rpm.Query("-qp", "--requires");
        Assert.Contains($"glibc >= {SpecGlibcFloor()}", requires);
        Assert.Contains("openssl-libs", requires);
        Assert.Contains("pam", requires);
        Assert.DoesNotContain(requires, r => r.Contains("ci-launcher-pam", StringComparison.Ordinal));

        // Provides: only the package itself; no soname of the PAM module or its private AOT library.
        var provides = rpm.Query("-qp", "--provides");
        Assert.All(provides, p => Assert.Matches(@"^(ci-launcher|ci-launcher\(x86-64\)|config\(ci-launcher\)) = ", p));
        Assert.Equal(RpmPackageFixture.Version, rpm.Query("-qp", "--qf", "%{VERSION}")[0]);
    }

    [RootFact]
    public void Pre_install_script_creates_the_wrapper_group_once()
    {
        // Run the packaged %pre for real, twice (install, then upgrade), against a private copy of
        // /etc mounted over the real one in a mount namespace: the host's groups stay untouched.
        string pre = string.Join('\n', rpm.Query("-qp", "--qf", "%{PREIN}"));
        using var etc = new TrustedDir();
        var copy = Proc.Run("/bin/cp", ["-a", "/etc", etc.Path]);
        Assert.Equal(0, copy.ExitCode);
        var r = Proc.Run("/usr/bin/unshare", ["--mount", "--propagation", "private", "--", "/bin/sh", "-c",
            "mount --bind \"$1/etc\" /etc && sh -c \"$2\" && sh -c \"$2\" && getent group ci-launcher", "sh", etc.Path, pre]);
        output.WriteLine(pre + "\n" + r.Stdout + r.Stderr);
        Assert.Equal(0, r.ExitCode);
        // groupadd -r: a system group (gid below 1000), created exactly once.
        var fields = r.Stdout.Trim().Split(':');
        Assert.Equal("ci-launcher", fields[0]);
        Assert.InRange(long.Parse(fields[2], CultureInfo.InvariantCulture), 1, 999);
        Assert.Single(File.ReadAllLines(Path.Combine(etc.Path, "etc", "group")), l => l.StartsWith("ci-launcher:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("PREIN")]
    [InlineData("POSTIN")]
    [InlineData("PREUN")]
    [InlineData("POSTUN")]
    public void Scriptlet_is_valid_sh(string tag)
    {
        string script = string.Join('\n', rpm.Query("-qp", "--qf", $"%{{{tag}}}"));
        Assert.NotEqual("(none)", script.Trim());
        var r = Proc.Run("/bin/sh", ["-n"], stdin: script);
        Assert.True(r.ExitCode == 0, $"%{tag} does not parse: {r.Stderr}\n{script}");
    }

    [RootFact]
    public void Extracted_binary_prints_the_version_of_Directory_Build_props()
    {
        var r = Proc.Run(rpm.InRoot("/usr/bin/ci-launcher"), ["--version"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"ci-launcher {RpmPackageFixture.Version}", r.Stdout.Trim());
    }

    [RootFact]
    public void Extracted_default_config_passes_check_config_in_the_installed_layout()
    {
        var r = rpm.RunInstalled("/usr/bin/ci-launcher", ["check-config", "--config", rpm.InRoot(DefaultConfig)]);
        output.WriteLine(r.Stdout + r.Stderr);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("configuration OK (1 issuer(s), 1 rule(s))", r.Stdout);
        // Right after installation the key set does not exist yet: a warning, not an error.
        Assert.Contains("jwks.unavailable", r.Stderr);
    }

    [RootFact]
    public void Extracted_default_config_denies_a_valid_token_and_audits_it()
    {
        // A real key set for the example issuer, so the token verifies and the policy decides.
        var key = IssuerKey.CreateRsa("rpm-default-1");
        using var jwks = new TrustedDir();
        jwks.Write("gitlab.json", IssuerKey.Jwks(key));
        using var log = new TrustedDir();
        var claims = GitLabClaims.For("https://gitlab.example.org", "https://hpc.example.org", "nobody", DateTimeOffset.UtcNow);

        var r = rpm.RunInstalled("/usr/bin/ci-launcher", ["validate", "--config", rpm.InRoot(DefaultConfig), "--token-file", "-", "--json"],
            jwksDir: jwks.Path, logDir: log.Path, stdin: key.Sign(claims));
        output.WriteLine(r.Stdout + r.Stderr);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("\"allowed\": false", r.Stdout);
        Assert.Contains("\"reason\": \"policy.denied\"", r.Stdout);
        Assert.Contains("\"rule\": \"deny-everything-until-configured\"", r.Stdout);
        string audit = File.ReadAllText(Path.Combine(log.Path, "audit.log"));
        Assert.Contains("policy.denied", audit);
        Assert.Contains("deny-everything-until-configured", audit);
    }

    [RootFact]
    public void Extracted_wrapper_execs_the_installed_binary()
    {
        if (!RpmPackageFixture.HasSuidWrapper)
        {
            output.WriteLine("native/ci-launcher-suid.c is not in this tree, so the package has no wrapper to check");
            return;
        }
        // The exec target is fixed at build time; a wrapper built for a test location must never ship.
        var strings = Proc.Run("/usr/bin/strings", ["-a", rpm.InRoot("/usr/libexec/ci-launcher/ci-launcher-suid")]);
        Assert.Contains("/usr/bin/ci-launcher", strings.Stdout.Split('\n'));
    }

    [RootFact]
    public void Recorded_glibc_floor_is_the_measured_one()
    {
        var elf = new List<string> { rpm.InRoot("/usr/bin/ci-launcher"), rpm.InRoot("/usr/libexec/ci-launcher/ci-launcher-jwks-refresh") };
        if (RpmPackageFixture.HasSuidWrapper) elf.Add(rpm.InRoot("/usr/libexec/ci-launcher/ci-launcher-suid"));
        if (RpmPackageFixture.HasPamModule)
        {
            elf.Add(rpm.InRoot("/usr/lib64/security/pam_ci_launcher.so"));
            elf.Add(rpm.InRoot("/usr/lib64/security/libci-launcher-pam.so"));
        }
        var measured = Proc.Run("/bin/bash", [Path.Combine(Dist.Repo, "packaging", "glibc-floor.sh"), .. elf]);
        Assert.Equal(0, measured.ExitCode);
        string floor = measured.Stdout.Trim();
        output.WriteLine($"glibc floor of {string.Join(", ", elf.Select(Path.GetFileName))}: {floor}");

        Assert.Equal(floor, SpecGlibcFloor());
        Assert.Contains($"glibc >= {floor}", File.ReadAllText(Path.Combine(Dist.Repo, "README.md")));
        Assert.Contains($"glibc >= {floor}", File.ReadAllText(Path.Combine(Dist.Repo, "docs", "ADMIN.md")));
    }

    [SystemdAnalyzeFact]
    public void Units_pass_systemd_analyze_verify()
    {
        // verify resolves ExecStart= and the dependencies inside --root: give the extracted tree the
        // host's stock units (sysinit.target, timers.target, ...) in a copy, beside the packaged ones.
        using var root = UnitRoot();
        var r = Proc.Run(SystemdAnalyzeFactAttribute.Path!, ["verify", $"--root={root.Path}", "--man=no", .. Units.Select(u => $"{UnitDir}/{u}")]);
        output.WriteLine(r.Stdout + r.Stderr);
        Assert.Equal(0, r.ExitCode);
        // Unknown or misspelt directives are only warnings to verify: a hardening line that systemd
        // ignores would be silently lost, so any output fails the test.
        Assert.Equal("", r.Stderr.Trim());
    }

    [SystemdAnalyzeFact]
    public void Refresh_service_is_hardened()
    {
        var unit = File.ReadAllText(rpm.InRoot($"{UnitDir}/ci-launcher-jwks-refresh.service"));
        foreach (var line in new[]
        {
            "ExecStart=/usr/bin/ci-launcher jwks refresh --config /etc/ci-launcher/config.yaml",
            "ProtectSystem=strict", "ReadWritePaths=/var/lib/ci-launcher/jwks", "NoNewPrivileges=yes",
            "PrivateTmp=yes", "ProtectHome=yes", "PrivateDevices=yes", "CapabilityBoundingSet=",
            "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "SystemCallFilter=@system-service",
        })
            Assert.Contains(line, unit.Split('\n'));
        Assert.Single(unit.Split('\n'), l => l.StartsWith("ReadWritePaths=", StringComparison.Ordinal));

        using var root = UnitRoot();
        var r = Proc.Run(SystemdAnalyzeFactAttribute.Path!, ["security", "--offline=yes", $"--root={root.Path}", "--no-pager", Units[0]]);
        output.WriteLine(r.Stdout + r.Stderr);
        var level = Regex.Match(r.Stdout, @"Overall exposure level for \S+: ([0-9.]+)");
        Assert.True(level.Success, r.Stdout + r.Stderr);
        // systemd rates 0-10; "OK" ends at 2.0 (then MEDIUM, EXPOSED, UNSAFE). Root with network
        // access is the floor for a fetcher that must write root-owned key sets.
        Assert.InRange(double.Parse(level.Groups[1].Value, CultureInfo.InvariantCulture), 0.0, 2.0);
    }

    /// <summary>A copy of the extracted tree's units and binary plus the host's stock units, for systemd-analyze --root.</summary>
    private TrustedDir UnitRoot()
    {
        var root = new TrustedDir();
        Directory.CreateDirectory(root.Path + UnitDir);
        Directory.CreateDirectory(root.Path + "/usr/bin");
        if (Directory.Exists(UnitDir))
            foreach (var stock in Directory.EnumerateFiles(UnitDir))
                if (!File.GetAttributes(stock).HasFlag(FileAttributes.ReparsePoint))
                    File.Copy(stock, root.Path + UnitDir + "/" + Path.GetFileName(stock));
        foreach (var unit in Units)
            File.Copy(rpm.InRoot($"{UnitDir}/{unit}"), root.Path + $"{UnitDir}/{unit}", overwrite: true);
        File.Copy(rpm.InRoot("/usr/bin/ci-launcher"), root.Path + "/usr/bin/ci-launcher");
        return root;
    }

    private static string SpecGlibcFloor()
    {
        var m = Regex.Match(File.ReadAllText(Path.Combine(Dist.Repo, "rpm", "ci-launcher.spec")), @"^%global glibc_floor\s+([0-9.]+)\s*$", RegexOptions.Multiline);
        Assert.True(m.Success, "rpm/ci-launcher.spec has no '%global glibc_floor X.Y' line");
        return m.Groups[1].Value;
    }
}
