/*
 * cil_spawn.c: the part of `ci-launcher run` between fork() and execve().
 *
 * The child runs only this file's code, and only async-signal-safe calls (no malloc, no
 * stdio): it is the child of a multithreaded .NET process, whose other threads' locks are
 * frozen in whatever state fork() caught them. The order of the steps is the point of the
 * file; it follows sudo's exec_setup() and OpenSSH's permanently_set_uid():
 *
 *   (born in the job's cgroup  when the supervisor made one: clone3(CLONE_INTO_CGROUP) with the
 *                              cgroup's directory fd, so the child never ran outside it; see
 *                              spawn_process for why not fork() and why that is safe here)
 *   setsid                     own session and process group: the supervisor signals the whole
 *                              job by its group id, and the job loses the caller's controlling
 *                              terminal (no TIOCSTI into the runner's tty)
 *   join the job's cgroup      only where clone3 could not place the child (a seccomp filter that
 *                              hides clone3): "0" to its cgroup.procs, through the fd the parent
 *                              opened, while still root, because the job's user can write no
 *                              cgroup.procs; everything the job forks is born inside it
 *   resource limits            (set-id) the caller's own, recorded by ci-launcher-suid before it
 *                              raised them for the privileged part; before setresuid, so the
 *                              kernel judges RLIMIT_NPROC for the new user by the caller's limit
 *   setgroups, setresgid,      groups first, uid last: after setresuid nothing else may be changed
 *   setresuid
 *   prove                      regaining any old uid/gid must fail; every uid/gid field, the groups
 *                              and the capability sets must be exactly the target's
 *   no_new_privs               (configurable) setuid binaries and file caps no longer elevate
 *   close fds >= 3             nothing the supervisor or its caller held open reaches the job
 *   signal dispositions        SIG_IGN survives execve; the job starts with the defaults
 *   umask, chdir               after the drop, so the directory is entered with the job's rights
 *   open the script            after the drop too: the job can only run what its user can read;
 *                              O_NOFOLLOW, a regular file, owned by root or the user, not group- or
 *                              world-writable; exec'd as /proc/self/fd/N so it cannot be swapped
 *                              between the check and the shell reading it
 *   unblock signals, execve    the configured shell with the script
 *
 * Any failure writes {step, errno} to the error pipe and _exit(127)s: the job never ran.
 */
#define _GNU_SOURCE
#include "cil_spawn.h"
#include "cil_signals.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_GROUPS 65536

_Static_assert(RLIM_INFINITY == UINT64_MAX && sizeof(rlim_t) == sizeof(uint64_t), "struct cil_rlimit carries rlim_t as uint64_t");

/* The child's copy; static so a large group list does not live on a .NET thread's small stack. */
static gid_t current_groups[MAX_GROUPS];

static void __attribute__((noreturn)) fail(int fd, int step, int err)
{
    struct cil_spawn_error e = { step, err };
    ssize_t n;
    do
        n = write(fd, &e, sizeof e);
    while (n < 0 && errno == EINTR);
    _exit(127);
}

/* Fallback for kernels without close_range (< 5.9): walk /proc/self/fd with getdents64, no malloc. */
static int close_listed_fds(int keep)
{
    int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return -1;
    char buf[4096] __attribute__((aligned(8)));
    long n;
    while ((n = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
            struct {
                unsigned long long ino;
                long long off;
                unsigned short reclen;
                unsigned char type;
                char name[];
            } *d = (void *)(buf + off);
            int fd = 0, digits = 0;
            for (const char *c = d->name; *c >= '0' && *c <= '9'; c++, digits++)
                fd = fd * 10 + (*c - '0');
            if (digits > 0 && fd >= 3 && fd != keep && fd != dir)
                close(fd);
            off += d->reclen;
        }
    }
    close(dir);
    return n < 0 ? -1 : 0;
}

static int close_fds_except(int keep)
{
    if ((keep <= 3 || syscall(SYS_close_range, 3U, (unsigned)keep - 1, 0U) == 0)
        && syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0U) == 0)
        return 0;
    return close_listed_fds(keep);
}

/*
 * Credentials are changed with the raw system calls, which change the calling thread only. The
 * child has one thread, so that is the whole process, exactly what glibc's wrappers do after
 * fork(). glibc's wrappers cannot be used after clone3: in a process that had threads they
 * broadcast the change to every thread glibc knows of (setxid signals, under glibc's locks), and
 * a child started by a raw clone3 still lists the parent's threads, frozen in whatever state the
 * clone caught them.
 */
static int raw_setgroups(size_t n, const gid_t *list)
{
    return (int)syscall(SYS_setgroups, n, list);
}

static int raw_setresgid(gid_t r, gid_t e, gid_t s)
{
    return (int)syscall(SYS_setresgid, r, e, s);
}

static int raw_setresuid(uid_t r, uid_t e, uid_t s)
{
    return (int)syscall(SYS_setresuid, r, e, s);
}

static int contains(const uint32_t *list, int n, gid_t g)
{
    for (int i = 0; i < n; i++)
        if (list[i] == g)
            return 1;
    return 0;
}

static void prove(const struct cil_spawn_request *r, int efd, const uid_t old_uid[3], const gid_t old_gid[3])
{
    uid_t ruid, euid, suid;
    gid_t rgid, egid, sgid;

    if (r->uid == 0)
        fail(efd, CIL_STEP_UIDS, EPERM);
    /* Each id this process ever had, and root's: taking one back must be refused by the kernel. */
    uid_t try_uid[4] = { 0, old_uid[0], old_uid[1], old_uid[2] };
    for (int i = 0; i < 4; i++)
        if (try_uid[i] != r->uid && raw_setresuid((uid_t)-1, try_uid[i], (uid_t)-1) == 0)
            fail(efd, CIL_STEP_REGAINED_UID, 0);
    gid_t try_gid[4] = { 0, old_gid[0], old_gid[1], old_gid[2] };
    for (int i = 0; i < 4; i++)
        if (try_gid[i] != r->gid && raw_setresgid((gid_t)-1, try_gid[i], (gid_t)-1) == 0)
            fail(efd, CIL_STEP_REGAINED_GID, 0);

    /* setfsuid(-1) changes nothing and returns the current filesystem id: the fourth field. */
    if (getresuid(&ruid, &euid, &suid) != 0 || ruid != r->uid || euid != r->uid || suid != r->uid
        || (uid_t)setfsuid((uid_t)-1) != r->uid)
        fail(efd, CIL_STEP_UIDS, 0);
    if (getresgid(&rgid, &egid, &sgid) != 0 || rgid != r->gid || egid != r->gid || sgid != r->gid
        || (gid_t)setfsgid((gid_t)-1) != r->gid)
        fail(efd, CIL_STEP_GIDS, 0);

    if (r->change_identity) {
        int n = getgroups(MAX_GROUPS, current_groups);
        if (n < 0)
            fail(efd, CIL_STEP_GROUPS, errno);
        int distinct = 0;
        for (int i = 0; i < r->ngroups; i++)
            if (!contains(r->groups, i, r->groups[i]))
                distinct++;
        if (n != distinct)
            fail(efd, CIL_STEP_GROUPS, 0);
        for (int i = 0; i < n; i++)
            if (!contains(r->groups, r->ngroups, current_groups[i]))
                fail(efd, CIL_STEP_GROUPS, 0);
    }

    /* setresuid from root to non-root clears permitted and effective, not inheritable: clear all, then check. */
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct caps[2];
    memset(caps, 0, sizeof caps);
    if (syscall(SYS_capset, &hdr, caps) != 0)
        fail(efd, CIL_STEP_CAPS, errno);
    if (syscall(SYS_capget, &hdr, caps) != 0)
        fail(efd, CIL_STEP_CAPS, errno);
    for (int i = 0; i < 2; i++)
        if (caps[i].effective != 0 || caps[i].permitted != 0 || caps[i].inheritable != 0)
            fail(efd, CIL_STEP_CAPS, 0);
}

static char *format_fd_path(char *buf, int fd)
{
    static const char prefix[] = "/proc/self/fd/";
    char digits[12];
    int n = 0;
    do
        digits[n++] = (char)('0' + fd % 10);
    while ((fd /= 10) > 0);
    memcpy(buf, prefix, sizeof prefix - 1);
    char *p = buf + sizeof prefix - 1;
    while (n > 0)
        *p++ = digits[--n];
    *p = '\0';
    return buf;
}

static void __attribute__((noreturn)) child(const struct cil_spawn_request *r, int efd, int in_cgroup)
{
    uid_t old_uid[3];
    gid_t old_gid[3];
    getresuid(&old_uid[0], &old_uid[1], &old_uid[2]);
    getresgid(&old_gid[0], &old_gid[1], &old_gid[2]);

    if (setsid() < 0)
        fail(efd, CIL_STEP_SETSID, errno);

    if (r->cgroup_procs_fd >= 0 && !in_cgroup) {
        ssize_t n;
        do
            n = write(r->cgroup_procs_fd, "0", 1); /* "0": the writing process */
        while (n < 0 && errno == EINTR);
        if (n != 1)
            fail(efd, CIL_STEP_CGROUP, n < 0 ? errno : EIO);
    }

    for (int i = 0; i < r->nlimits; i++) {
        struct rlimit lim = { (rlim_t)r->limits[i].soft, (rlim_t)r->limits[i].hard };
        if (setrlimit((__rlimit_resource_t)i, &lim) != 0)
            fail(efd, CIL_STEP_RLIMIT, errno);
    }

    if (r->change_identity) {
        if (old_uid[1] != 0)
            fail(efd, CIL_STEP_NOT_ROOT, EPERM);
        if (raw_setgroups((size_t)r->ngroups, (const gid_t *)r->groups) != 0)
            fail(efd, CIL_STEP_SETGROUPS, errno);
        if (raw_setresgid(r->gid, r->gid, r->gid) != 0)
            fail(efd, CIL_STEP_SETRESGID, errno);
        if (raw_setresuid(r->uid, r->uid, r->uid) != 0)
            fail(efd, CIL_STEP_SETRESUID, errno);
    }
    prove(r, efd, old_uid, old_gid);

    if (r->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        fail(efd, CIL_STEP_NO_NEW_PRIVS, errno);

    if (close_fds_except(efd) != 0)
        fail(efd, CIL_STEP_CLOSE_FDS, errno);
    /* Keep the pipe out of the low numbers, so the script gets fd 3 whatever fd the pipe had. */
    if (efd < 10) {
        int moved = fcntl(efd, F_DUPFD_CLOEXEC, 10);
        if (moved >= 0) {
            close(efd);
            efd = moved;
        }
    }

    cil_default_signal_dispositions();

    umask((mode_t)r->umask);
    if (chdir(r->workdir) != 0)
        fail(efd, CIL_STEP_CHDIR, errno);

    /* O_NONBLOCK: a FIFO planted as the script must not hang the open. */
    int script = open(r->script, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (script < 0)
        fail(efd, errno == ELOOP ? CIL_STEP_SCRIPT_SYMLINK : CIL_STEP_SCRIPT_OPEN, errno);
    struct stat st;
    if (fstat(script, &st) != 0)
        fail(efd, CIL_STEP_SCRIPT_OPEN, errno);
    if (!S_ISREG(st.st_mode))
        fail(efd, CIL_STEP_SCRIPT_NOT_REGULAR, 0);
    if (st.st_uid != 0 && st.st_uid != r->uid)
        fail(efd, CIL_STEP_SCRIPT_OWNER, (int)st.st_uid);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        fail(efd, CIL_STEP_SCRIPT_MODE, (int)(st.st_mode & 07777));
    if (fcntl(script, F_SETFL, 0) != 0)
        fail(efd, CIL_STEP_SCRIPT_OPEN, errno);

    char script_path[32];
    r->argv[1] = format_fd_path(script_path, script);

    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
        fail(efd, CIL_STEP_SIGNALS, errno);
    execve(r->shell, r->argv, r->envp);
    fail(efd, CIL_STEP_EXEC, errno);
}

void cil_ignore_stray_signals(void)
{
    for (int sig = 1; sig < NSIG; sig++) {
        switch (sig) {
        case SIGKILL: case SIGSTOP:                      /* cannot be caught */
        case SIGTERM: case SIGINT: case SIGHUP:          /* cancels: forwarded to the job */
        case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
        case SIGTSTP: case SIGTTIN: case SIGTTOU:        /* by default they do not end the process */
            continue;
        default:
            break;
        }
        struct sigaction old;
        if (sigaction(sig, NULL, &old) != 0)
            continue; /* EINVAL for glibc's internal signals */
        if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
            continue; /* the runtime's own handler (or already ignored) */
        struct sigaction ignore;
        memset(&ignore, 0, sizeof ignore);
        ignore.sa_handler = SIG_IGN;
        (void)sigaction(sig, &ignore, NULL);
    }
}

/*
 * The child process, born in the job's cgroup when there is one. Joining after fork() by writing
 * to cgroup.procs is a migration, which takes the kernel's cgroup_threadgroup_rwsem for writing:
 * that waits for an RCU grace period, 10 to 30 ms on these machines (bench/launch/README.md),
 * longer than all the rest of a launch. A child created inside the cgroup is not migrated.
 * clone3 is called raw (glibc 2.36 has no wrapper), which skips what glibc's fork() does for the
 * child: the atfork handlers, resetting glibc's locks and its list of threads. The child needs
 * none of it: it runs only this file's code, which calls no malloc, stdio or lock-taking glibc
 * function, and changes credentials with raw system calls (raw_setresuid). Where clone3 cannot
 * be used (ENOSYS from a seccomp filter, an older kernel) it falls back to fork() and the child
 * joins by cgroup.procs, which reports the precise failure if that does not work either.
 */
static pid_t spawn_process(const struct cil_spawn_request *req, int *in_cgroup)
{
    *in_cgroup = 0;
    if (req->cgroup_fd >= 0) {
        struct clone_args args;
        memset(&args, 0, sizeof args);
        args.flags = CLONE_INTO_CGROUP;
        args.exit_signal = SIGCHLD;
        args.cgroup = (uint64_t)req->cgroup_fd;
        long pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid >= 0) {
            *in_cgroup = 1;
            return (pid_t)pid;
        }
    }
    return fork();
}

int cil_spawn(const struct cil_spawn_request *req, int32_t *pid, int32_t *error_fd)
{
    if (req->argv == NULL || req->argv[0] == NULL || req->ngroups < 0 || req->ngroups > MAX_GROUPS || req->nlimits < 0
        || req->nlimits > RLIM_NLIMITS || (req->nlimits > 0 && req->limits == NULL))
        return -EINVAL;

    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return -errno;

    /* With SIGCHLD ignored the kernel reaps the job itself and waitpid() never sees its status. */
    struct sigaction chld;
    if (sigaction(SIGCHLD, NULL, &chld) == 0
        && ((!(chld.sa_flags & SA_SIGINFO) && chld.sa_handler == SIG_IGN) || (chld.sa_flags & SA_NOCLDWAIT))) {
        memset(&chld, 0, sizeof chld);
        chld.sa_handler = SIG_DFL;
        sigaction(SIGCHLD, &chld, NULL);
    }

    /*
     * Block every signal across fork: until the child has reset the dispositions, a signal
     * would run the runtime's handler in the child, which writes to the supervisor's own
     * signal pipe. The child unblocks them right before execve.
     */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int in_cgroup;
    pid_t child_pid = spawn_process(req, &in_cgroup);
    if (child_pid == 0) {
        close(pipefd[0]);
        child(req, pipefd[1], in_cgroup);
    }
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(pipefd[1]);
    if (child_pid < 0) {
        close(pipefd[0]);
        return -fork_errno;
    }
    *pid = child_pid;
    *error_fd = pipefd[0];
    return 0;
}
