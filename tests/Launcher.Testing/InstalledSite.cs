namespace Launcher.Testing;

/// <summary>
/// ci-launcher installed as a site has it, in a root-owned temporary prefix: bin/ci-launcher (a copy
/// of the published AOT binary), bin/ci-launcher-suid (built for that path with the shipped flags,
/// 4750 root:<see cref="CallerGroup"/>) and etc/ci-launcher/config.yaml, the only config a set-id
/// caller gets. Built once per test run and shared through the collection <see cref="Collection"/>
/// (tests in it run one at a time, so each may <see cref="Install"/> its own config).
/// </summary>
public sealed class InstalledSite : IDisposable
{
    /// <summary>The xunit collection whose fixture this is; each test assembly declares it (InstalledSiteCollection).</summary>
    public const string Collection = "installed-site";

    public InstalledSite()
    {
        if (!RootFactAttribute.IsRoot()) return; // every test using it is a RootFact and will be skipped
        try
        {
            CallerGroup = Accounts.Group("c");
            Binary = Path.Combine(Dir.Path, "bin", "ci-launcher");
            Directory.CreateDirectory(Path.GetDirectoryName(Binary)!);
            File.Copy(Dist.CiLauncher, Binary);
            File.SetUnixFileMode(Binary, (UnixFileMode)0b111_101_101);
            Wrapper = SetuidWrapper.Build(Binary, Path.Combine(Dir.Path, "bin", "ci-launcher-suid"), CallerGroup, "4750");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public Accounts Accounts { get; } = new("clins");

    /// <summary>The installation prefix (bin/, etc/ci-launcher/).</summary>
    public TrustedDir Dir { get; } = new();

    /// <summary>The group the wrapper is installed for (launch.caller_group of a config that has one).</summary>
    public string CallerGroup { get; } = "";

    public string Binary { get; } = "";
    public string Wrapper { get; } = "";

    /// <summary>Where the installed binary finds its config (InstallLayout: PREFIX/etc/ci-launcher/config.yaml).</summary>
    public string ConfigPath => Path.Combine(Dir.Path, "etc", "ci-launcher", "config.yaml");

    /// <summary>Makes <paramref name="config"/> (a file) the installation's config.</summary>
    public void Install(string config)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        File.Copy(config, ConfigPath, overwrite: true);
    }

    /// <summary>
    /// The same wrapper installed with another <paramref name="mode"/> (e.g. 4755, world-executable)
    /// beside the first, as bin/ci-launcher-suid-MODE: it execs the same binary.
    /// </summary>
    public string WrapperWithMode(string mode)
    {
        string copy = Path.Combine(Dir.Path, "bin", $"ci-launcher-suid-{mode}");
        if (!File.Exists(copy)) File.Copy(Wrapper, copy);
        return SetuidWrapper.Install(copy, CallerGroup, mode);
    }

    /// <summary>
    /// The AOT binary itself installed set-id (4750 root:<see cref="CallerGroup"/>) as bin/<paramref name="name"/>,
    /// started without the wrapper; it finds the installation's config like bin/ci-launcher.
    /// </summary>
    public string SetIdBinary(string name)
    {
        string copy = Path.Combine(Dir.Path, "bin", name);
        File.Copy(Binary, copy, overwrite: true);
        return SetuidWrapper.Install(copy, CallerGroup, "4750");
    }

    public void Dispose()
    {
        Dir.Dispose();
        Accounts.Dispose();
    }
}
