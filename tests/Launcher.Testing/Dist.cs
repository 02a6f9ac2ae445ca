namespace Launcher.Testing;

/// <summary>The published artifacts under test (./build.sh publish puts them in dist/).</summary>
public static class Dist
{
    public static string Repo { get; } = Environment.GetEnvironmentVariable("CI_LAUNCHER_REPO") ?? FindRepo();

    public static string Dir { get; } = Environment.GetEnvironmentVariable("CI_LAUNCHER_DIST") ?? Path.Combine(Repo, "dist");

    public static string CiLauncher => Require(Path.Combine(Dir, "ci-launcher"));

    public static string Require(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing; run ./build.sh publish first");

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Launcher.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Launcher.sln)");
    }
}
