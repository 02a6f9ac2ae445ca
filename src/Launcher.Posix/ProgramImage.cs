using System.Runtime.InteropServices;
using Launcher.Posix.Interop;
using Launcher.Posix.Launch;
using Tmds.Linux;

namespace Launcher.Posix;

/// <summary>Hands this process over to another program of the installation (execve), with this process's environment.</summary>
public static unsafe class ProgramImage
{
    /// <summary>Does not return when the exec succeeds; otherwise returns why not.</summary>
    public static string Replace(string path, IReadOnlyList<string> argv)
    {
        var environment = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            environment.Add($"{e.Key}={e.Value}");
        using var native = new NativeStrings();
        LibC.execve(native.Str(path), native.Array(argv), native.Array(environment));
        int errno = Marshal.GetLastPInvokeError();
        return $"cannot execute {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
    }
}
