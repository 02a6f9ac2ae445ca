using Launcher.Core.Authorization;
using Launcher.Core.Launch;
using Launcher.Posix.Interop;
using Tmds.Linux;
using Launcher.Posix.Privileged;

namespace Launcher.Posix.Launch;

/// <summary>
/// The resource limits a job gets. Set-id, ci-launcher-suid recorded the caller's in
/// <see cref="CallerLimits.Variable"/> before raising them for the privileged part; the job
/// must get exactly those back (as sudo restores the user's). Started by root itself, the job
/// inherits this process's limits.
/// </summary>
public static class JobLimits
{
    private static IReadOnlyList<ResourceLimit>? s_caller;

    /// <summary>
    /// Set-id: reads the caller's limits and removes the variable from this process's environment
    /// (nothing after this point needs it). Null when fine; else why this process must not go on (launch.rlimit).
    /// </summary>
    public static Refusal? Load()
    {
        if (!ProcessIdentity.IsSetId) return null;
        var caller = CallerLimits.Parse(Environment.GetEnvironmentVariable(CallerLimits.Variable));
        Environment.SetEnvironmentVariable(CallerLimits.Variable, null);
        if (!caller.Ok) return caller.Refusal;
        s_caller = caller.Value;
        return null;
    }

    /// <summary>
    /// The fewest descriptors ci-launcher runs with: measured, a job starts with 8 (7 aborts the
    /// runtime); 64 leaves room for more issuers, the executor and syslog. ci-launcher-suid holds
    /// a caller to the same floor (limit_rules in native/ci-launcher-suid.c).
    /// </summary>
    public const int MinDescriptors = 64;

    /// <summary>Null when RLIMIT_NOFILE lets this process work; else the launch.rlimit refusal (root started it with a tiny limit).</summary>
    public static unsafe Refusal? CheckDescriptors()
    {
        Glibc.Rlimit lim;
        if (Glibc.getrlimit(Glibc.RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= MinDescriptors) return null;
        return Refusal.SiteError(Reasons.LaunchRlimit,
            $"RLIMIT_NOFILE is {lim.rlim_cur}; ci-launcher needs at least {MinDescriptors} open files (ulimit -n {MinDescriptors}, or LimitNOFILE= of the service that starts it)");
    }

    /// <summary>One message straight to fd 2, without the console (which needs descriptors of its own); a failed write is ignored.</summary>
    public static unsafe void WriteStderr(string message)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(message);
        fixed (byte* p = bytes) LibC.write(2, p, bytes.Length);
    }

    /// <summary>For <see cref="LaunchPlan.CallerLimits"/>: the caller's limits when set-id (after <see cref="Load"/>), else null (inherit).</summary>
    public static IReadOnlyList<ResourceLimit>? ForJob => s_caller;
}
