namespace Launcher.Core.Authorization;

/// <summary>
/// Stable reason codes. They appear in audit records, syslog, <c>validate --json</c>, PAM logs
/// and the README's troubleshooting table: rename none of them.
/// </summary>
public static class Reasons
{
    public const string Ok = "ok";

    // The token itself.
    public const string TokenMissing = "token.missing";
    public const string TokenTooLarge = "token.too_large";
    public const string TokenMalformed = "token.malformed";
    public const string TokenEncrypted = "token.encrypted";
    public const string TokenCrit = "token.crit";
    public const string TokenUnsigned = "token.unsigned";
    public const string TokenAlgorithm = "token.algorithm";
    public const string TokenIssuer = "token.issuer";
    public const string TokenUnknownKid = "token.unknown_kid";
    public const string TokenBadSignature = "token.bad_signature";
    public const string TokenAudience = "token.audience";
    public const string TokenExpired = "token.expired";
    public const string TokenNotYetValid = "token.not_yet_valid";
    public const string TokenIssuedInFuture = "token.iat_future";
    public const string TokenTooOld = "token.too_old";
    /// <summary>exp - iat exceeds the issuer's max_lifetime: the issuer (or a stolen issuer key) minted a token that lives too long.</summary>
    public const string TokenLifetimeTooLong = "token.lifetime_too_long";
    public const string TokenMissingClaim = "token.missing_claim";

    // Site trouble: not the job's fault.
    public const string ConfigInvalid = "config.invalid";
    public const string ConfigUntrusted = "config.untrusted";
    /// <summary>A caller of the setuid wrapper named a config; set-id callers always get the installation's own.</summary>
    public const string ConfigCallerChosen = "config.caller_chosen";
    /// <summary>check-config, explain, jwks refresh, keys or jwks export through the setuid wrapper: root only.</summary>
    public const string AdminRootOnly = "admin.root_only";
    public const string JwksUnavailable = "jwks.unavailable";
    public const string JwksInvalid = "jwks.invalid";
    // jwks refresh: the old jwks_file is kept on each of these.
    public const string JwksFetchFailed = "jwks.fetch_failed";
    public const string JwksDiscoveryFailed = "jwks.discovery_failed";
    public const string JwksWriteFailed = "jwks.write_failed";
    public const string AuditUnavailable = "audit.unavailable";

    // Policy.
    public const string PolicyNoMatch = "policy.no_match";
    public const string PolicyDenied = "policy.denied";
    public const string PolicyRunAsClaim = "policy.run_as_claim";
    public const string PolicyRunAsInvalid = "policy.run_as_invalid";

    // Account.
    public const string AccountNotFound = "account.not_found";
    public const string AccountRoot = "account.root";
    public const string AccountUidBelowMin = "account.uid_below_min";
    public const string AccountGidBelowMin = "account.gid_below_min";
    public const string AccountDeniedUser = "account.denied_user";
    public const string AccountNotAllowedUser = "account.not_allowed_user";
    public const string AccountGroup = "account.group";
    public const string AccountShell = "account.shell";
    public const string AccountLocked = "account.locked";
    public const string AccountExpired = "account.expired";
    public const string AccountLookupFailed = "account.lookup_failed";

    // Launch (ci-launcher run, the executor): refusals after the decision, before the job runs.
    public const string LaunchCallerNotInGroup = "launch.caller_not_in_group";
    public const string LaunchNotPrivileged = "launch.not_privileged";
    public const string LaunchDownscopeMismatch = "launch.downscope_mismatch";
    public const string LaunchEnvironmentUntrusted = "env.untrusted";
    public const string LaunchShellUntrusted = "launch.shell_untrusted";
    public const string LaunchWorkdir = "launch.workdir";
    public const string LaunchDirectory = "launch.directory";
    public const string LaunchDropFailed = "launch.drop_failed";
    public const string LaunchDropUnproven = "launch.drop_unproven";
    public const string LaunchChildSetup = "launch.child_setup";
    public const string LaunchScriptMissing = "launch.script_missing";
    public const string LaunchScriptSymlink = "launch.script_symlink";
    public const string LaunchScriptUnreadable = "launch.script_unreadable";
    public const string LaunchScriptNotRegular = "launch.script_not_regular";
    public const string LaunchScriptOwner = "launch.script_owner";
    public const string LaunchScriptMode = "launch.script_mode";
    public const string LaunchExecFailed = "launch.exec_failed";
    public const string LaunchSpawnFailed = "launch.spawn_failed";
    /// <summary>
    /// A resource limit: the caller's hard limit is below what the privileged part needs, or the
    /// caller's limits (CI_LAUNCHER_CALLER_RLIMITS, set by ci-launcher-suid) are missing or malformed.
    /// </summary>
    public const string LaunchRlimit = "launch.rlimit";
    /// <summary>ci-launcher-suid could not make root's group its effective group.</summary>
    public const string LaunchRootGroup = "launch.root_group";
    /// <summary>launch.containment: cgroup required but unusable, or the job's cgroup could not be made.</summary>
    public const string LaunchContainment = "launch.containment";
    // Refusals of ci-launcher-suid itself (native/ci-launcher-suid.c), before the AOT binary runs.
    public const string LaunchEmptyArgv = "launch.empty_argv";
    public const string LaunchDumpable = "launch.dumpable";
    public const string LaunchSignals = "launch.signals";
    public const string LaunchEnvironmentTooLarge = "launch.environment";

    // GitLab custom executor (ci-launcher executor ...).
    public const string ExecutorNotConfigured = "executor.not_configured";
    public const string ExecutorJobResponse = "executor.job_response";
    public const string ExecutorJobMismatch = "executor.job_mismatch";
    public const string ExecutorProjectMismatch = "executor.project_mismatch";
    public const string ExecutorRunnerMismatch = "executor.runner_mismatch";
    public const string ExecutorUserChanged = "executor.user_changed";
    /// <summary>The job's root-owned state directory (executor.state_dir) cannot be created, opened or written.</summary>
    public const string ExecutorState = "executor.state";
    public const string ExecutorTokenVariable = "executor.token_variable";
    public const string ExecutorStageName = "executor.stage_name";
    public const string ExecutorScript = "executor.script";
    public const string ExecutorPath = "executor.path";
    public const string ExecutorPrepare = "executor.prepare";
    public const string ExecutorLaunch = "executor.launch";
    public const string ExecutorJobFailed = "executor.job_failed";
    public const string ExecutorExitCodes = "executor.exit_codes";

    // Batch execution (executor.batch: a stage's script becomes a Slurm job of the mapped user).
    // Refused before submission, the job author's to fix (BUILD_FAILURE_EXIT_CODE):
    /// <summary>The scheduler-parameters variable cannot be split into words without a shell.</summary>
    public const string BatchParameters = "batch.parameters";
    /// <summary>An option that would change identity, paths, environment or waiting (--uid, -o, --export, --wait, ...).</summary>
    public const string BatchOptionRefused = "batch.option_refused";
    /// <summary>Not an option of the batch system's submit command (also: abbreviations, stray words).</summary>
    public const string BatchOptionUnknown = "batch.option_unknown";
    /// <summary>A real option the site did not put on executor.batch.allowed_options.</summary>
    public const string BatchOptionNotAllowed = "batch.option_not_allowed";
    // Policy bounds of the matched rule (policy.rules[].batch):
    public const string BatchPartition = "batch.partition";
    public const string BatchAccount = "batch.account";
    public const string BatchQos = "batch.qos";
    public const string BatchTime = "batch.time";
    // Site trouble around the batch system (SYSTEM_FAILURE_EXIT_CODE):
    /// <summary>The submit command is missing or the controller cannot be reached.</summary>
    public const string BatchUnavailable = "batch.unavailable";
    /// <summary>The batch system refused the submission (bad partition, over limits, ...).</summary>
    public const string BatchSubmitRejected = "batch.submit_rejected";
    /// <summary>The job did not start within executor.batch.start_timeout; it was cancelled.</summary>
    public const string BatchStartTimeout = "batch.start_timeout";
    /// <summary>The job ended in a state that is not the script's doing (TIMEOUT, NODE_FAIL, PREEMPTED, OUT_OF_MEMORY, ...).</summary>
    public const string BatchJobState = "batch.job_state";
    /// <summary>The stage lost track of its job, or its monitor ended without a result.</summary>
    public const string BatchMonitor = "batch.monitor";

    // PAM module (Launcher.Pam).
    /// <summary>The token maps to a different account than the one logging in (PAM_USER).</summary>
    public const string PamUserMismatch = "pam.user_mismatch";
    /// <summary>The PAM shim passed a missing or non-UTF-8 argument (config, user, service).</summary>
    public const string PamBadArgument = "pam.bad_argument";
    /// <summary>An unexpected exception inside the library; the login is refused.</summary>
    public const string InternalError = "internal.error";

    // Site token issuing (token issue, keys, jwks export).
    public const string IssuingNotConfigured = "issuing.not_configured";
    public const string IssuingFromIssuer = "issuing.from_issuer";
    public const string IssuingCallerUid = "issuing.caller_uid";
    public const string IssuingAudience = "issuing.audience";
    public const string IssuingLifetime = "issuing.lifetime";
    public const string IssuingKeyUnavailable = "issuing.key_unavailable";
    public const string IssuingNoSigningKey = "issuing.no_signing_key";
    public const string IssuingRotation = "issuing.rotation";
}
