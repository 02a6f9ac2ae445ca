namespace Launcher.Core.Config;

/// <summary>
/// Where an installed ci-launcher finds its configuration. A caller of the setuid wrapper cannot
/// choose the config (root would trust whatever it names), so the path follows from where root
/// installed the binary: <c>PREFIX/etc/ci-launcher/config.yaml</c> for <c>PREFIX/bin/ci-launcher</c>,
/// with the system prefixes <c>/usr</c> and <c>/</c> mapped to <c>/etc</c> (the autoconf sysconfdir
/// convention). The RPM installs <c>/usr/bin/ci-launcher</c>, so the path is
/// <c>/etc/ci-launcher/config.yaml</c>; a relocated tree (/opt/ci-launcher, a Spack prefix) carries
/// its own <c>etc/</c>. The wrapper execs a binary path fixed when it was compiled, so the caller
/// chooses neither.
/// </summary>
public static class InstallLayout
{
    public const string SystemConfig = "/etc/ci-launcher/config.yaml";

    /// <summary>The default config for the binary at <paramref name="executable"/> (the kernel's /proc/self/exe).</summary>
    public static string ConfigFor(string? executable)
    {
        // "(deleted)": the binary was replaced while running (an upgrade). It is still this
        // installation's binary: falling back to the system path handed a relocated tree's callers,
        // during the upgrade, another installation's config (or none).
        const string Deleted = " (deleted)";
        if (executable is not null && executable.EndsWith(Deleted, StringComparison.Ordinal)) executable = executable[..^Deleted.Length];
        if (executable is null || !executable.StartsWith('/'))
            return SystemConfig;
        string? bin = Parent(executable);
        if (bin is null || System.IO.Path.GetFileName(bin) is not ("bin" or "sbin")) return SystemConfig;
        string? prefix = Parent(bin);
        if (prefix is null or "/" or "/usr") return SystemConfig;
        return prefix + "/etc/ci-launcher/config.yaml";
    }

    /// <summary>
    /// Where the binary at <paramref name="executable"/> finds a helper program of the same
    /// installation: <c>PREFIX/libexec/ci-launcher/NAME</c> for <c>PREFIX/bin/ci-launcher</c> (so
    /// <c>/usr/libexec/ci-launcher/NAME</c> for the RPM), and beside the binary anywhere else (a
    /// build's <c>dist/</c>). Null when the binary's own path is unknown or replaced.
    /// </summary>
    public static string? HelperFor(string? executable, string name)
    {
        if (executable is null || !executable.StartsWith('/') || executable.EndsWith(" (deleted)", StringComparison.Ordinal))
            return null;
        string? bin = Parent(executable);
        if (bin is null) return null;
        if (System.IO.Path.GetFileName(bin) is not ("bin" or "sbin")) return (bin == "/" ? "" : bin) + "/" + name;
        string prefix = Parent(bin) ?? "/";
        return (prefix == "/" ? "" : prefix) + "/libexec/ci-launcher/" + name;
    }

    private static string? Parent(string path)
    {
        int slash = path.TrimEnd('/').LastIndexOf('/');
        return slash < 0 ? null : slash == 0 ? "/" : path[..slash];
    }
}
