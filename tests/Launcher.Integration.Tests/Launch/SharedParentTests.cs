using System.Globalization;
using Launcher.Core.Paths;
using Launcher.Integration.Tests.Support;
using Launcher.Posix.Privileged;

namespace Launcher.Integration.Tests.Launch;

/// <summary>
/// A directory template whose shared parents do not exist yet (<c>/shared/ci/{user}</c> with no
/// <c>/shared/ci</c>): the first user's job must not make the parents its own, or that user could
/// refuse, read or redirect every later user's directory (a security review found exactly that).
/// Root creates the shared parents, root-owned 0755; only the user's own component and below
/// belong to the user.
/// </summary>
[Collection(InstalledSite.Collection)]
public sealed class SharedParentTests(LaunchSite s) : IClassFixture<LaunchSite>
{
    private static string Owner(string path) => Proc.Run("/usr/bin/stat", ["-c", "%u", path]).Stdout.Trim();

    private static string Uid(string user) => Accounts.Uid(user).ToString(CultureInfo.InvariantCulture);

    [RootFact]
    public void Two_users_jobs_both_get_their_directory_below_a_missing_shared_parent()
    {
        string shared = Path.Combine(s.Work, $"shared-{Guid.NewGuid():N}"[..15]);
        var site = s.Configure(createDirs: $"{shared}/ci/{{user}}");
        Assert.False(Directory.Exists(shared));

        foreach (string user in new[] { s.JobUser, s.Outsider })
        {
            var r = Proc.Run(LaunchSite.AsCaller(s.Runner, s.Wrapper, ["run", "--token-file", site.TokenFile(user), "--", s.Script]));
            Assert.True(r.ExitCode == 0, $"{user}: exit {r.ExitCode}: {r.Stderr}");
            string own = Path.Combine(shared, "ci", user);
            Assert.Equal(Uid(user), Owner(own));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(own));
        }

        // The parents the first job created are root's, readable and enterable by every user, writable by none.
        foreach (string parent in new[] { shared, Path.Combine(shared, "ci") })
        {
            Assert.Equal("0", Owner(parent));
            Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(parent));
        }
    }

    [RootFact]
    public void Directly_the_shared_part_is_roots_and_the_users_part_is_the_users()
    {
        using var scratch = new TrustedDir();
        uint alice = Accounts.Uid(s.JobUser), bob = Accounts.Uid(s.Outsider);
        // <scratch>/a/b are shared; <user>/builds belong to the user (as "<scratch>/a/b/{user}/builds" expands).
        UserPath For(string user) => new(Path.Combine(scratch.Path, "a", "b", user, "builds"), CleanPath.Components(scratch.Path).Length + 2);

        Assert.True(UserDirectories.Ensure(For(s.JobUser), alice, Accounts.Gid(s.JobUser)).Ok);
        var second = UserDirectories.Ensure(For(s.Outsider), bob, Accounts.Gid(s.Outsider));
        Assert.True(second.Ok, second.ToString());

        Assert.Equal("0", Owner(Path.Combine(scratch.Path, "a")));
        Assert.Equal("0", Owner(Path.Combine(scratch.Path, "a", "b")));
        Assert.Equal(Uid(s.JobUser), Owner(Path.Combine(scratch.Path, "a", "b", s.JobUser)));
        Assert.Equal(Uid(s.Outsider), Owner(Path.Combine(scratch.Path, "a", "b", s.Outsider, "builds")));
        // Nothing half made is left behind (the temporary names of the atomic creation).
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path, ".*", SearchOption.AllDirectories));
    }
}
