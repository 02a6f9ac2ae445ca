using Launcher.Integration.Tests.Support;

namespace Launcher.Pam.Tests.Support;

/// <summary>Compiles the C test programs under tests/Launcher.Pam.Tests/native (gcc is a build dependency).</summary>
public static class NativeTools
{
    public static string Build(string outputDir, string source, params string[] libs)
    {
        string src = Path.Combine(Dist.Repo, "tests", "Launcher.Pam.Tests", "native", source);
        string output = Path.Combine(outputDir, Path.GetFileNameWithoutExtension(source));
        var r = Proc.Run("gcc", ["-O2", "-Wall", "-Wextra", "-Werror", "-o", output, src, .. libs]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"gcc {source} failed: {r.Stderr}");
        return output;
    }
}
