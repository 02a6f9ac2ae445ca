namespace Launcher.Testing;

/// <summary>
/// C programs the tests build for themselves (exec helpers, LD_PRELOAD libraries, PAM clients,
/// header probes): warnings are errors, nothing else. They are never shipped, so they do not get
/// the shipped hardening flags; the setuid wrapper does, through <see cref="SetuidWrapper"/>.
/// </summary>
public static class TestPrograms
{
    /// <summary>Compiles <paramref name="source"/> (a .c file) to <paramref name="output"/>; <paramref name="flags"/> before the output, <paramref name="libs"/> after the source.</summary>
    public static string Compile(string source, string output, string[] flags, params string[] libs)
    {
        var gcc = Proc.Run("gcc", ["-O2", "-Wall", "-Wextra", "-Werror", .. flags, "-o", output, source, .. libs]);
        if (gcc.ExitCode != 0) throw new InvalidOperationException($"gcc {source} failed: {gcc.Stderr}");
        return output;
    }

    /// <summary>A program or library from <paramref name="source"/> given as text, built in <paramref name="dir"/> as <paramref name="name"/>.</summary>
    public static string FromText(string dir, string name, string source, params string[] flags)
    {
        string c = Path.Combine(dir, name + ".c");
        File.WriteAllText(c, source);
        string output = Compile(c, Path.Combine(dir, name), flags);
        File.SetUnixFileMode(output, (UnixFileMode)0b111_101_101);
        return output;
    }

    /// <summary>An LD_PRELOAD library from a C file of the repository's tests/ tree (e.g. Launcher.Integration.Tests/native/x.c), built in <paramref name="dir"/>.</summary>
    public static string PreloadLibrary(string dir, string testsRelativeSource) =>
        Compile(Path.Combine(Dist.Repo, "tests", testsRelativeSource),
            Path.Combine(dir, Path.GetFileNameWithoutExtension(testsRelativeSource) + ".so"), ["-shared", "-fPIC"], "-ldl");
}
