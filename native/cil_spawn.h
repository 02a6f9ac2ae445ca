/*
 * cil_spawn: fork, drop to the job's account, prove it, and exec the job script.
 *
 * Linked statically into the ci-launcher AOT executable. Everything between fork() and
 * execve() runs here, in C: the child of a multithreaded .NET process may only call
 * async-signal-safe functions, and no managed code may run there.
 */
#ifndef CIL_SPAWN_H
#define CIL_SPAWN_H

#include <stdint.h>

/* Which step of the child failed; sent to the parent over the error pipe with errno. Stable. */
enum cil_step {
    CIL_STEP_SETSID = 1,
    CIL_STEP_NOT_ROOT = 2,       /* change_identity set but the process is not root */
    CIL_STEP_SETGROUPS = 3,
    CIL_STEP_SETRESGID = 4,
    CIL_STEP_SETRESUID = 5,
    CIL_STEP_REGAINED_UID = 6,   /* proof failed: an old uid could be taken back */
    CIL_STEP_REGAINED_GID = 7,   /* proof failed: an old gid could be taken back */
    CIL_STEP_UIDS = 8,           /* proof failed: real/effective/saved/fs uid differ from the target */
    CIL_STEP_GIDS = 9,
    CIL_STEP_GROUPS = 10,        /* proof failed: supplementary groups differ from the list */
    CIL_STEP_CAPS = 11,          /* proof failed: capabilities remain */
    CIL_STEP_NO_NEW_PRIVS = 12,
    CIL_STEP_CLOSE_FDS = 13,
    CIL_STEP_SIGNALS = 14,
    CIL_STEP_CHDIR = 15,
    CIL_STEP_SCRIPT_OPEN = 16,
    CIL_STEP_SCRIPT_SYMLINK = 17,
    CIL_STEP_SCRIPT_NOT_REGULAR = 18,
    CIL_STEP_SCRIPT_OWNER = 19,
    CIL_STEP_SCRIPT_MODE = 20,
    CIL_STEP_EXEC = 21,
    CIL_STEP_CGROUP = 22,        /* writing to the job's cgroup.procs failed */
    CIL_STEP_RLIMIT = 23,        /* setting the caller's resource limits failed */
};

/* A resource limit; UINT64_MAX is RLIM_INFINITY. */
struct cil_rlimit {
    uint64_t soft;
    uint64_t hard;
};

/* What the child writes to the error pipe before _exit(127). EOF instead means execve succeeded. */
struct cil_spawn_error {
    int32_t step;
    int32_t err;
};

struct cil_spawn_request {
    uint32_t uid;
    uint32_t gid;
    const uint32_t *groups;   /* supplementary groups, primary included (getgrouplist order) */
    int32_t ngroups;
    int32_t change_identity;  /* 1: drop root to uid/gid/groups; 0: already uid/gid, only prove */
    int32_t no_new_privs;
    uint32_t umask;
    const char *workdir;      /* absolute; chdir after the drop */
    const char *shell;        /* absolute; executed with the script as its first argument */
    const char *script;       /* absolute; opened after the drop, O_NOFOLLOW */
    char **argv;              /* shell, <slot for the script path>, args..., NULL */
    char **envp;              /* the job's whole environment */
    int32_t cgroup_procs_fd;  /* -1: none; else cgroup.procs of the job's cgroup, which the child joins before the drop
                                 when it could not be born in it (cgroup_fd) */
    int32_t nlimits;          /* 0: keep the inherited limits; else limits[r] is set for each RLIMIT_* r < nlimits */
    const struct cil_rlimit *limits;
    int32_t cgroup_fd;        /* -1: none; else the job cgroup's directory (O_PATH): the child is created in it */
};

/*
 * Starts the job. Returns 0 with *pid and *error_fd (read end of the error pipe: EOF means
 * the job was exec'd, a struct cil_spawn_error means it was not), or -errno if nothing was
 * forked. The child is a new session and process group whose id is *pid.
 */
int cil_spawn(const struct cil_spawn_request *req, int32_t *pid, int32_t *error_fd);

/*
 * For the supervisor, before it forks the job: every signal that would end this process and
 * still has its default action is ignored from now on. The supervisor keeps the caller's real
 * uid, so the caller may signal it; SIGUSR1, SIGALRM, SIGQUIT and the like ended it without
 * cleanup, leaving the job running unsupervised in its cgroup. Cancel signals (SIGTERM, SIGINT,
 * SIGHUP) and the runtime's own handlers are left alone; a fault the kernel raises itself is
 * still delivered (it resets an ignored action to the default). The job gets default actions
 * back in the child. SIGKILL and SIGSTOP cannot be ignored.
 */
void cil_ignore_stray_signals(void);

#endif
