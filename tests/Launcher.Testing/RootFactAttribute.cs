namespace Launcher.Testing;

/// <summary>A fact that needs root (useradd, setuid files, /etc/pam.d). Skipped, with the reason printed, otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root" && !IsRoot())
            Skip = "needs root (CI runs as root): creates users, setuid files or PAM services";
    }

    public static bool IsRoot() => File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2] == "0");
}
