using Launcher.Core.Launch;

namespace Launcher.Core.Tests.Launch;

/// <summary>Finding cgroup v2 and this process's place in it, on the layouts machines really have.</summary>
public class CgroupPathsTests
{
    private const string Hybrid = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    private const string Rhel9 = """
        22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/rhel-root rw,attr2,inode64
        25 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
        27 25 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,seclabel,nsdelegate,memory_recursiveprot
        """;

    private const string Container = """
        600 500 0:30 /kubepods/pod1/abc /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw
        """;

    private const string V1Only = """
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        """;

    private const string Escaped = """
        41 31 0:38 / /srv/my\040cgroups rw,relatime - cgroup2 cgroup2 rw
        """;

    public static TheoryData<string, string, string?, string?> Mounts => new()
    {
        { "hybrid (v1 controllers, v2 at unified)", Hybrid, "/sys/fs/cgroup/unified", "/" },
        { "RHEL 9 (v2 only, optional fields)", Rhel9, "/sys/fs/cgroup", "/" },
        { "container (a namespace root)", Container, "/sys/fs/cgroup", "/kubepods/pod1/abc" },
        { "cgroup v1 only", V1Only, null, null },
        { "nothing mounted", "", null, null },
        { "a space in the mount point", Escaped, "/srv/my cgroups", "/" },
        { "a truncated line", "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2", null, null },
    };

    [Theory]
    [MemberData(nameof(Mounts))]
    public void Finds_the_cgroup2_mount(string name, string mountinfo, string? mountPoint, string? root)
    {
        var mount = CgroupPaths.FindMount(mountinfo);
        Assert.True(mount?.MountPoint == mountPoint, $"{name}: {mount}");
        Assert.Equal(root, mount?.Root);
    }

    public static TheoryData<string, string, string?> OwnCgroups => new()
    {
        { "hybrid, at the root", "9:name=systemd:/\n4:memory:/process_api/13af\n0::/\n", "/" },
        { "a systemd service", "0::/system.slice/gitlab-runner.service\n", "/system.slice/gitlab-runner.service" },
        { "v1 only", "9:name=systemd:/user.slice\n4:memory:/user.slice\n", null },
        { "empty", "", null },
    };

    [Theory]
    [MemberData(nameof(OwnCgroups))]
    public void Reads_the_own_cgroup(string name, string procSelfCgroup, string? expected) =>
        Assert.True(CgroupPaths.OwnCgroup(procSelfCgroup) == expected, name);

    public static TheoryData<string, string, string, string[]?> Components => new()
    {
        { "the root", "/", "/", [] },
        { "a service", "/", "/system.slice/gitlab-runner.service", ["system.slice", "gitlab-runner.service"] },
        { "below a namespace root", "/kubepods/pod1", "/kubepods/pod1/abc", ["abc"] },
        { "the namespace root itself", "/kubepods/pod1", "/kubepods/pod1", [] },
        { "outside the namespace root", "/kubepods/pod1", "/kubepods/pod2", null },
        { "a sibling sharing a prefix", "/kubepods/pod1", "/kubepods/pod10", null },
        { "a deleted cgroup", "/", "/ci (deleted)", null },
        { "a dot-dot component", "/", "/a/../b", null },
    };

    [Theory]
    [MemberData(nameof(Components))]
    public void Names_the_components_below_the_mount(string name, string root, string cgroup, string[]? expected)
    {
        var parts = CgroupPaths.ComponentsBelow(new CgroupPaths.Mount("/sys/fs/cgroup", root), cgroup);
        Assert.True(expected is null ? parts is null : parts is not null && parts.SequenceEqual(expected), $"{name}: {(parts is null ? "null" : string.Join('|', parts))}");
    }
}
