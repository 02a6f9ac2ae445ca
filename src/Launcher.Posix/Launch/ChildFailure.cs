using System.Globalization;
using Launcher.Core.Authorization;
using Launcher.Core.Launch;
using Launcher.Posix.Interop;
using Tmds.Linux;
using Step = Launcher.Posix.Interop.Spawn.Step;

namespace Launcher.Posix.Launch;

/// <summary>Turns the child's {step, errno} (enum cil_step in native/cil_spawn.h) into a reason code and a message naming the fix.</summary>
internal static class ChildFailure
{
    /// <summary>
    /// The refusal for a job that did not start. The script's own problems (missing, a link,
    /// unreadable, wrong owner or mode) are the job's to fix; a failed drop or setup is the site's.
    /// </summary>
    public static Refusal Describe(Step step, int err, LaunchPlan spec)
    {
        string user = spec.Account.Name;
        string errno = err > 0 ? Errno.Message(err) : "";
        string octal = Convert.ToString(err & 0xFFF, 8).PadLeft(4, '0');
        var (reason, detail) = step switch
        {
            Step.Setsid => (Reasons.LaunchChildSetup, $"setsid failed: {errno}"),
            Step.NotRoot => (Reasons.LaunchDropFailed, "the launcher is not root, so it cannot change to the mapped account; install ci-launcher-suid 4750 root:<launch.caller_group> or set launch.downscope: none"),
            Step.Setgroups => (Reasons.LaunchDropFailed, $"setgroups for '{user}' failed: {errno}"),
            Step.Setresgid => (Reasons.LaunchDropFailed, $"setresgid({spec.Account.Gid}) failed: {errno}"),
            Step.Setresuid => (Reasons.LaunchDropFailed, $"setresuid({spec.Account.Uid}) failed: {errno} (RLIMIT_NPROC of '{user}' reached?)"),
            Step.RegainedUid => (Reasons.LaunchDropUnproven, "after the drop an old uid could be taken back; the job was not started (kernel or security-module problem: report it)"),
            Step.RegainedGid => (Reasons.LaunchDropUnproven, "after the drop an old gid could be taken back; the job was not started"),
            Step.Uids => (Reasons.LaunchDropUnproven, $"after the drop the real/effective/saved/filesystem uids are not all {spec.Account.Uid}"),
            Step.Gids => (Reasons.LaunchDropUnproven, $"after the drop the real/effective/saved/filesystem gids are not all {spec.Account.Gid}"),
            Step.Groups => (Reasons.LaunchDropUnproven, $"after the drop the supplementary groups are not exactly those of '{user}'"),
            Step.Caps => (Reasons.LaunchDropUnproven, $"capabilities remain after the drop{(err > 0 ? ": " + errno : "")}; the job was not started (securebits set by the caller?)"),
            Step.NoNewPrivs => (Reasons.LaunchChildSetup, $"PR_SET_NO_NEW_PRIVS failed: {errno}"),
            Step.CloseFds => (Reasons.LaunchChildSetup, $"closing inherited file descriptors failed: {errno}"),
            Step.Signals => (Reasons.LaunchChildSetup, $"resetting the signal mask failed: {errno}"),
            Step.Chdir => (Reasons.LaunchWorkdir, $"cannot enter the working directory {spec.WorkingDirectory} as '{user}': {errno} (fix launch.workdir, or create it with launch.create_dirs)"),
            Step.ScriptOpen when err == LibC.ENOENT => (Reasons.LaunchScriptMissing, $"script {spec.Script} does not exist"),
            Step.ScriptOpen => (Reasons.LaunchScriptUnreadable, $"'{user}' cannot open script {spec.Script}: {errno} (the script must be readable by the job's user)"),
            Step.ScriptSymlink => (Reasons.LaunchScriptSymlink, $"script {spec.Script} is a symbolic link; give the path of the file itself"),
            Step.ScriptNotRegular => (Reasons.LaunchScriptNotRegular, $"script {spec.Script} is not a regular file"),
            Step.ScriptOwner => (Reasons.LaunchScriptOwner, $"script {spec.Script} is owned by uid {err.ToString(CultureInfo.InvariantCulture)}; it must belong to root or '{user}' (chown it)"),
            Step.ScriptMode => (Reasons.LaunchScriptMode, $"script {spec.Script} has mode {octal}, writable by group or others (chmod go-w)"),
            Step.Exec when err == LibC.EAGAIN => (Reasons.LaunchExecFailed, $"cannot execute launch.shell {spec.Shell}: {errno} ('{user}' has as many processes as the RLIMIT_NPROC the job inherits from its caller allows)"),
            Step.Exec => (Reasons.LaunchExecFailed, $"cannot execute launch.shell {spec.Shell}: {errno}"),
            Step.Cgroup => (Reasons.LaunchContainment, $"the job could not join its cgroup: {errno}"),
            Step.Rlimit => (Reasons.LaunchRlimit, $"the caller's resource limits could not be set for the job: {errno}"),
            _ => (Reasons.LaunchSpawnFailed, $"the job's setup failed at unknown step {(int)step} (errno {err})"),
        };
        return reason.StartsWith("launch.script_", StringComparison.Ordinal)
            ? Refusal.Denied(reason, detail)
            : Refusal.SiteError(reason, detail);
    }
}
