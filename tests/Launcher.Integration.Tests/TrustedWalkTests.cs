using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests;

/// <summary>
/// The trusted walk's rules beyond plain ownership and mode, as root: a root-owned sticky
/// directory (/tmp) may be passed through but never hold the trusted file itself; root's own
/// symbolic links are followed and judged at their target; anyone else's link is refused.
/// </summary>
public sealed class TrustedWalkTests : IDisposable
{
    private readonly string _tmp = Path.Combine("/tmp", "cl-walk-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ConfigSite _site = new();

    public TrustedWalkTests()
    {
        if (!RootFactAttribute.IsRoot()) return;
        Directory.CreateDirectory(_tmp, (UnixFileMode)0b111_101_101);
    }

    private ProcResult Check(string config) => Proc.Run(Dist.CiLauncher, ["check-config", "--config", config]);

    private string InTmp(string relative)
    {
        string path = Path.Combine(_tmp, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(_site.ConfigPath, path, overwrite: true);
        return path;
    }

    [RootFact]
    public void A_root_owned_directory_below_sticky_tmp_is_trusted()
    {
        var r = Check(InTmp("etc/config.yaml"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("configuration OK", r.Stdout);
    }

    [RootFact]
    public void A_file_directly_in_sticky_tmp_is_refused()
    {
        string direct = Path.Combine("/tmp", $"cl-walk-{Guid.NewGuid():N}.yaml");
        File.Copy(_site.ConfigPath, direct);
        try
        {
            var r = Check(direct);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains($"config.untrusted: {direct}: file: refusing to read {direct}: {direct} is directly in a directory others can write to", r.Stderr);
        }
        finally
        {
            File.Delete(direct);
        }
    }

    [RootFact]
    public void A_directory_below_tmp_owned_by_someone_else_is_refused()
    {
        string config = InTmp("etc/config.yaml");
        Assert.Equal(0, Proc.Run("/usr/bin/chown", ["65534", _tmp]).ExitCode);
        var r = Check(config);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"directory {_tmp} is owned by uid 65534, not root", r.Stderr);
    }

    [RootFact]
    public void Roots_own_links_are_followed_and_their_targets_judged()
    {
        string real = InTmp("real/config.yaml");
        string viaAbsolute = Path.Combine(_tmp, "abs");
        File.CreateSymbolicLink(viaAbsolute, Path.Combine(_tmp, "real"));
        string viaRelative = Path.Combine(_tmp, "rel");
        File.CreateSymbolicLink(viaRelative, "real/../real");
        Assert.Equal(0, Check(Path.Combine(viaAbsolute, "config.yaml")).ExitCode);
        Assert.Equal(0, Check(Path.Combine(viaRelative, "config.yaml")).ExitCode);

        // The target is judged like any path: a link into a group-writable directory is refused there.
        File.SetUnixFileMode(Path.GetDirectoryName(real)!, (UnixFileMode)0b111_111_101);
        var r = Check(Path.Combine(viaAbsolute, "config.yaml"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"directory {Path.Combine(_tmp, "real")} has mode 0775", r.Stderr);
    }

    [RootFact]
    public void A_link_owned_by_someone_else_is_never_followed()
    {
        InTmp("real/config.yaml");
        string link = Path.Combine(_tmp, "theirs");
        File.CreateSymbolicLink(link, Path.Combine(_tmp, "real"));
        Assert.Equal(0, Proc.Run("/usr/bin/chown", ["-h", "65534", link]).ExitCode);
        var r = Check(Path.Combine(link, "config.yaml"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{link} is a symbolic link owned by uid 65534, not root", r.Stderr);
    }

    [RootFact]
    public void A_root_owned_link_directly_in_sticky_tmp_is_never_followed()
    {
        // What a user can plant where fs.protected_hardlinks is 0: a hard link to one of root's
        // links. Made here by root itself, it is just as root-owned.
        InTmp("real/config.yaml");
        string link = Path.Combine("/tmp", $"cl-walk-{Guid.NewGuid():N}");
        File.CreateSymbolicLink(link, Path.Combine(_tmp, "real"));
        try
        {
            var r = Check(Path.Combine(link, "config.yaml"));
            Assert.Equal(2, r.ExitCode);
            Assert.Contains($"{link} is a symbolic link directly in a directory others can write to; links there are never followed, even root's", r.Stderr);
        }
        finally
        {
            File.Delete(link);
        }
    }

    [RootFact]
    public void A_loop_of_links_ends_in_a_refusal()
    {
        File.CreateSymbolicLink(Path.Combine(_tmp, "a"), Path.Combine(_tmp, "b"));
        File.CreateSymbolicLink(Path.Combine(_tmp, "b"), Path.Combine(_tmp, "a"));
        var r = Check(Path.Combine(_tmp, "a", "config.yaml"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("more than 40 symbolic links", r.Stderr);
    }

    public void Dispose()
    {
        _site.Dispose();
        if (Directory.Exists(_tmp)) Directory.Delete(_tmp, recursive: true);
    }
}
