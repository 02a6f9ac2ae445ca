using Launcher.Core.Authorization;
using Launcher.Core.Paths;
using Launcher.Integration.Tests.Support;
using Launcher.Posix.Privileged;

namespace Launcher.Integration.Tests.Launch;

/// <summary>
/// Two jobs of one user prepare at the same time (gitlab-runner's concurrent, batch stages):
/// both create the same builds and cache directories. Neither may see the other's directory
/// half made (root-owned, before its chown) and refuse it.
/// </summary>
public class UserDirectoriesRaceTests
{
    [RootFact]
    public void Concurrent_creators_of_one_directory_all_succeed_and_leave_nothing_behind()
    {
        using var users = new Accounts("clrace");
        string user = users.User();
        uint uid = Accounts.Uid(user), gid = Accounts.Gid(user);
        using var scratch = new TrustedDir();
        for (int round = 0; round < 20; round++)
        {
            string path = Path.Combine(scratch.Path, $"r{round}", user, "builds", "17");
            // <scratch>/r<round> is shared (root's); <user> and below are the user's.
            var userPath = new UserPath(path, scratch.Path.Count(c => c == '/') + 1);
            // Dedicated threads, all released at once by the barrier.
            using var start = new Barrier(6);
            var outcomes = new Outcome<bool>[6];
            var threads = Enumerable.Range(0, 6).Select(i => new Thread(() => { start.SignalAndWait(); outcomes[i] = UserDirectories.Ensure(userPath, uid, gid); })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.All(outcomes, o => Assert.True(o.Ok, o.ToString()));
            // Each component is made by exactly one of them, not necessarily the same one.
            Assert.Contains(outcomes, o => o.Value);
            foreach (var dir in new[] { path, Path.GetDirectoryName(path)!, Path.GetDirectoryName(Path.GetDirectoryName(path))! })
            {
                Assert.Equal(uid.ToString(System.Globalization.CultureInfo.InvariantCulture), Proc.Run("stat", ["-c", "%u", dir]).Stdout.Trim());
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
            }
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(scratch.Path, $"r{round}"), ".*", SearchOption.AllDirectories));
        }
    }
}
