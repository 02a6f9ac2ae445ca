using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests;

/// <summary>
/// A library named like one ci-launcher calls into, planted beside the binary, is never loaded:
/// every P/Invoke (Tmds.LibC's "libc.so.6" and "libpthread.so.0", the own "libc", and
/// "libcrypto.so.3", which verifies the token's signature) is bound at
/// link time, so nothing is resolved by name at run time. A lazily bound one would dlopen
/// "&lt;directory of the binary&gt;/libc.so.6" first (and run its constructor as whoever runs
/// ci-launcher), and would also be invisible to the LD_PRELOAD wrappers the PAM and audit tests
/// rely on. The commands run make Tmds.LibC calls (trusted walk, statx, the audit writer's
/// pthread_sigmask) and own ones (getpwnam_r, getrlimit).
/// </summary>
public sealed class PlantedLibraryTests : IDisposable
{
    private readonly ConfigSite _site = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("cil-planted-").FullName;

    public void Dispose()
    {
        _site.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void A_library_planted_beside_the_binary_is_never_loaded()
    {
        string marker = Path.Combine(_dir, "marker");
        string binary = Path.Combine(_dir, "ci-launcher");
        File.Copy(Dist.CiLauncher, binary);
        string source = Path.Combine(Dist.Repo, "tests", "Launcher.Integration.Tests", "native", "planted_library.c");
        foreach (string name in new[] { "libc.so.6", "libpthread.so.0", "libcrypto.so.3", "libssl.so.3" })
        {
            var gcc = Proc.Run("gcc", ["-O2", "-Wall", "-Werror", "-shared", "-fPIC", $"-DMARKER=\"{marker}\"", "-o", Path.Combine(_dir, name), source]);
            Assert.True(gcc.ExitCode == 0, gcc.Stderr);
        }

        var validate = Proc.Run(binary, ["validate", "--config", _site.ConfigPath, "--token-file", _site.TokenFile("clplant-nouser")]);
        Assert.True(validate.ExitCode == 1, $"validate: exit {validate.ExitCode}: {validate.Stderr}");
        Assert.Contains("account.", validate.Stderr);
        var check = Proc.Run(binary, ["check-config", "--config", _site.ConfigPath]);
        Assert.True(check.ExitCode == 0, $"check-config: exit {check.ExitCode}: {check.Stderr}");

        Assert.False(File.Exists(marker), $"a library planted in {_dir} was loaded by ci-launcher: {(File.Exists(marker) ? File.ReadAllText(marker) : "")}");
    }
}
