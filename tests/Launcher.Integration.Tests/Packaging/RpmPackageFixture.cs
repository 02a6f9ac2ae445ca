using System.Xml.Linq;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Packaging;

/// <summary>
/// Builds the RPM once for the test class (packaging/build-rpm.sh, what './build.sh rpm' runs) and
/// extracts it with rpm2cpio | cpio into a scratch root under /run, where the trusted-file rules
/// accept the extracted configuration when the tests run as root.
/// </summary>
public sealed class RpmPackageFixture : IDisposable
{
    public RpmPackageFixture()
    {
        var build = Proc.Run("/bin/bash", [Path.Combine(Dist.Repo, "packaging", "build-rpm.sh")],
            env: BuildEnvironment(), timeout: TimeSpan.FromMinutes(15));
        BuildLog = build.Stderr;
        if (build.ExitCode != 0)
            throw new InvalidOperationException($"packaging/build-rpm.sh exited {build.ExitCode}:\n{build.Stderr}");
        RpmPath = build.Stdout.Trim().Split('\n')[^1];
        if (!File.Exists(RpmPath))
            throw new InvalidOperationException($"packaging/build-rpm.sh printed '{RpmPath}', which does not exist");

        Listing = Query("-qp", "--qf", RpmEntry.QueryFormat).Select(RpmEntry.Parse).ToList();

        Extracted = new TrustedDir();
        var cpio = Proc.Run("/bin/sh", ["-c", "cd \"$2\" && rpm2cpio \"$1\" | cpio -idm --quiet", "sh", RpmPath, Extracted.Path]);
        if (cpio.ExitCode != 0)
            throw new InvalidOperationException($"rpm2cpio | cpio failed ({cpio.ExitCode}): {cpio.Stderr}");
    }

    /// <summary>
    /// build-rpm.sh runs './build.sh publish' when dist/ is stale, which needs the test host's
    /// dotnet on PATH; the clean environment of Proc would not find it.
    /// </summary>
    private static Dictionary<string, string> BuildEnvironment()
    {
        var env = new Dictionary<string, string>();
        foreach (var name in new[] { "PATH", "HOME", "DOTNET_ROOT", "NUGET_PACKAGES" })
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value) env[name] = value;
        return env;
    }

    public string RpmPath { get; }
    public string BuildLog { get; }
    public IReadOnlyList<RpmEntry> Listing { get; }
    /// <summary>The package contents, extracted as they would be installed, below this directory.</summary>
    public TrustedDir Extracted { get; }

    /// <summary>The one version, as Directory.Build.props declares it.</summary>
    public static string Version { get; } =
        XDocument.Load(Path.Combine(Dist.Repo, "Directory.Build.props")).Descendants("Version").Single().Value;

    /// <summary>What the source tree builds decides what the package must hold (as build-rpm.sh decides).</summary>
    public static bool HasSuidWrapper => File.Exists(Path.Combine(Dist.Repo, "native", "ci-launcher-suid.c"));

    public static bool HasPamModule =>
        File.Exists(Path.Combine(Dist.Repo, "native", "pam_ci_launcher.c"))
        && File.Exists(Path.Combine(Dist.Repo, "src", "Launcher.Pam", "Launcher.Pam.csproj"));

    public static bool HasPamManPage => HasPamModule && File.Exists(Path.Combine(Dist.Repo, "packaging", "man", "pam_ci_launcher.8"));

    public string InRoot(string installedPath) => Extracted.Path + installedPath;

    /// <summary>Runs rpm against the built package and returns its output lines.</summary>
    public IReadOnlyList<string> Query(params string[] args)
    {
        var r = Proc.Run("/usr/bin/rpm", [.. args, RpmPath]);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"rpm {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}");
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// Runs an extracted program as if the package were installed: in a private mount namespace
    /// the extracted /var/log and /var/lib are mounted over the host's, so the installed default
    /// config finds its audit directory and key-set directory where the RPM puts them. Optional
    /// scratch directories replace the key-set and audit directories, keeping the extracted tree
    /// as packaged for the other tests. Nothing of this is visible outside the namespace.
    /// </summary>
    public ProcResult RunInstalled(string installedPath, IEnumerable<string> args, string? jwksDir = null, string? logDir = null, string? stdin = null)
    {
        const string mounts = """
            set -e
            root=$1 jwks=$2 log=$3; shift 3
            mount --bind "$root/var/log" /var/log
            mount --bind "$root/var/lib" /var/lib
            if [ -n "$jwks" ]; then mount --bind "$jwks" /var/lib/ci-launcher/jwks; fi
            if [ -n "$log" ]; then mount --bind "$log" /var/log/ci-launcher; fi
            exec "$@"
            """;
        return Proc.Run("/usr/bin/unshare", ["--mount", "--propagation", "private", "--", "/bin/sh", "-c", mounts, "sh",
            Extracted.Path, jwksDir ?? "", logDir ?? "", InRoot(installedPath), .. args], stdin: stdin);
    }

    public void Dispose() => Extracted.Dispose();
}
