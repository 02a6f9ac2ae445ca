namespace Launcher.Integration.Tests.Support;

/// <summary>Compiles a C test helper from tests/Launcher.Integration.Tests/native (gcc is a build dependency).</summary>
public static class NativeHelper
{
    /// <summary>An LD_PRELOAD library built from <paramref name="source"/> into <paramref name="outputDir"/>.</summary>
    public static string PreloadLibrary(string outputDir, string source)
    {
        string src = Path.Combine(Dist.Repo, "tests", "Launcher.Integration.Tests", "native", source);
        string output = Path.Combine(outputDir, Path.GetFileNameWithoutExtension(source) + ".so");
        var r = Proc.Run("gcc", ["-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-o", output, src, "-ldl"]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"gcc {source} failed: {r.Stderr}");
        return output;
    }
}
