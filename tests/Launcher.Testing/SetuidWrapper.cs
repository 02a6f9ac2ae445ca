namespace Launcher.Testing;

/// <summary>
/// native/ci-launcher-suid.c built by <c>./build.sh wrapper</c>, the one place that compiles it with
/// the shipped hardening flags, for a temporary installation of the AOT binary.
/// </summary>
public static class SetuidWrapper
{
    /// <summary>Builds the wrapper that execs <paramref name="target"/> into <paramref name="output"/>, installed root:<paramref name="group"/> with <paramref name="mode"/> (e.g. "4750").</summary>
    public static string Build(string target, string output, string group, string mode)
    {
        var build = Proc.Run(Path.Combine(Dist.Repo, "build.sh"), ["wrapper", target, output]);
        if (build.ExitCode != 0) throw new InvalidOperationException($"./build.sh wrapper {target} {output} failed: {build.Stderr}");
        return Install(output, group, mode);
    }

    /// <summary>Owner root:<paramref name="group"/>, then <paramref name="mode"/> (chown after chmod would clear the setuid bit).</summary>
    public static string Install(string path, string group, string mode)
    {
        Proc.Must("chown", $"root:{group}", path);
        Proc.Must("chmod", mode, path);
        return path;
    }
}
