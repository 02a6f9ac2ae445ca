namespace Launcher.Core.Launch;

/// <summary>How the job's identity is reached (Jacamar's name for the same setting).</summary>
public enum Downscope
{
    /// <summary>Root (directly or through ci-launcher-suid) changes to the mapped account.</summary>
    Setuid,
    /// <summary>No privilege change: allowed only when the mapped account is the caller.</summary>
    None,
}
