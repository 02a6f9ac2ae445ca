using System.Globalization;
using System.Runtime.InteropServices;
using Launcher.Core.Authorization;
using Launcher.Core.Launch;

namespace Launcher.Posix.Launch;

/// <summary>Turns the child's {step, errno} (enum cil_step in native/cil_spawn.h) into a reason code and a message naming the fix.</summary>
internal static class ChildFailure
{
    /// <summary>
    /// The refusal for a job that did not start. The script's own problems (missing, a link,
    /// unreadable, wrong owner or mode) are the job's to fix; a failed drop or setup is the site's.
    /// </summary>
    public static Refusal Describe(int step, int err, LaunchPlan spec)
    {
        string user = spec.Account.Name;
        string errno = err > 0 ? Marshal.GetPInvokeErrorMessage(err) : "";
        string octal = Convert.ToString(err & 0xFFF, 8).PadLeft(4, '0');
        var (reason, detail) = step switch
        {
            1 => (Reasons.LaunchChildSetup, $"setsid failed: {errno}"),
            2 => (Reasons.LaunchDropFailed, "the launcher is not root, so it cannot change to the mapped account; install ci-launcher-suid 4750 root:<launch.caller_group> or set launch.downscope: none"),
            3 => (Reasons.LaunchDropFailed, $"setgroups for '{user}' failed: {errno}"),
            4 => (Reasons.LaunchDropFailed, $"setresgid({spec.Account.Gid}) failed: {errno}"),
            5 => (Reasons.LaunchDropFailed, $"setresuid({spec.Account.Uid}) failed: {errno} (RLIMIT_NPROC of '{user}' reached?)"),
            6 => (Reasons.LaunchDropUnproven, "after the drop an old uid could be taken back; the job was not started (kernel or security-module problem: report it)"),
            7 => (Reasons.LaunchDropUnproven, "after the drop an old gid could be taken back; the job was not started"),
            8 => (Reasons.LaunchDropUnproven, $"after the drop the real/effective/saved/filesystem uids are not all {spec.Account.Uid}"),
            9 => (Reasons.LaunchDropUnproven, $"after the drop the real/effective/saved/filesystem gids are not all {spec.Account.Gid}"),
            10 => (Reasons.LaunchDropUnproven, $"after the drop the supplementary groups are not exactly those of '{user}'"),
            11 => (Reasons.LaunchDropUnproven, $"capabilities remain after the drop{(err > 0 ? ": " + errno : "")}; the job was not started (securebits set by the caller?)"),
            12 => (Reasons.LaunchChildSetup, $"PR_SET_NO_NEW_PRIVS failed: {errno}"),
            13 => (Reasons.LaunchChildSetup, $"closing inherited file descriptors failed: {errno}"),
            14 => (Reasons.LaunchChildSetup, $"resetting the signal mask failed: {errno}"),
            15 => (Reasons.LaunchWorkdir, $"cannot enter the working directory {spec.WorkingDirectory} as '{user}': {errno} (fix launch.workdir, or create it with launch.create_dirs)"),
            16 when err == LibcErrno.ENOENT => (Reasons.LaunchScriptMissing, $"script {spec.Script} does not exist"),
            16 => (Reasons.LaunchScriptUnreadable, $"'{user}' cannot open script {spec.Script}: {errno} (the script must be readable by the job's user)"),
            17 => (Reasons.LaunchScriptSymlink, $"script {spec.Script} is a symbolic link; give the path of the file itself"),
            18 => (Reasons.LaunchScriptNotRegular, $"script {spec.Script} is not a regular file"),
            19 => (Reasons.LaunchScriptOwner, $"script {spec.Script} is owned by uid {err.ToString(CultureInfo.InvariantCulture)}; it must belong to root or '{user}' (chown it)"),
            20 => (Reasons.LaunchScriptMode, $"script {spec.Script} has mode {octal}, writable by group or others (chmod go-w)"),
            21 when err == LibcErrno.EAGAIN => (Reasons.LaunchExecFailed, $"cannot execute launch.shell {spec.Shell}: {errno} ('{user}' has as many processes as the RLIMIT_NPROC the job inherits from its caller allows)"),
            21 => (Reasons.LaunchExecFailed, $"cannot execute launch.shell {spec.Shell}: {errno}"),
            22 => (Reasons.LaunchContainment, $"the job could not join its cgroup: {errno}"),
            23 => (Reasons.LaunchRlimit, $"the caller's resource limits could not be set for the job: {errno}"),
            _ => (Reasons.LaunchSpawnFailed, $"the job's setup failed at unknown step {step} (errno {err})"),
        };
        return reason.StartsWith("launch.script_", StringComparison.Ordinal)
            ? Refusal.Denied(reason, detail)
            : Refusal.SiteError(reason, detail);
    }

    private static class LibcErrno
    {
        public const int ENOENT = 2;
        public const int EAGAIN = 11;
    }
}
