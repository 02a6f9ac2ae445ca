/*
 * ci-launcher-suid: the setuid-root entry point of ci-launcher for runners that are not root.
 *
 * Installed 4750 root:ci-launcher, so only the caller group can execute it. It exists because
 * no .NET runtime may start as root with a caller-controlled environment: the runtime reads
 * DOTNET_* before Main (DOTNET_DbgEnableMiniDump makes a crash run createdump as root on a
 * caller-chosen path) and OpenSSL reads SSL_CERT_*. So this program, and only this program,
 * runs between the caller and the AOT binary, and does nothing but:
 *
 *   1. give fds 0-2 a file (/dev/null) if the caller closed them, so nothing the AOT binary
 *      opens later becomes its stdout or stderr; close every other descriptor the caller left
 *      open (as sudo does): the launcher's descriptor table is then its own, so a caller who
 *      fills it up to RLIMIT_NOFILE cannot make the runtime fail halfway through a decision;
 *   2. refuse an empty argv (CVE-2021-4034: argv[1] would alias envp[0]) or an empty argv[0];
 *   3. record the caller's resource limits for the job (CI_LAUNCHER_CALLER_RLIMITS, set after the
 *      environment was cleaned, so the caller cannot forge it) and give the privileged part safe
 *      ones: a caller-set RLIMIT_FSIZE would tear audit lines or kill root code with SIGXFSZ, a
 *      tiny RLIMIT_NOFILE or RLIMIT_AS would crash the runtime halfway through a decision. Soft
 *      limits are raised; a hard limit the caller lowered below what the launcher needs cannot
 *      be raised (root here may lack CAP_SYS_RESOURCE), so that is refused (launch.rlimit);
 *      core dumps are switched off (RLIMIT_CORE soft 0, PR_SET_DUMPABLE 0): a dump of this
 *      process holds root's view of memory and lands where the caller chooses;
 *   4. put every signal back to its default and unblock them: ignored signals survive exec,
 *      and an ignored SIGCHLD would make the kernel reap the job before the supervisor sees
 *      its exit status;
 *   5. set umask 022, and root's group as the effective and saved group (the real one stays the
 *      caller's), so files created as root (the audit log) are neither caller-writable nor the
 *      caller group's;
 *   6. rebuild the environment from a fixed allowlist (everything else is dropped);
 *   7. exec the AOT binary by the absolute path fixed when this file was compiled.
 *
 * Everything else (caller group membership, token, policy, the privilege drop) happens in
 * the AOT binary, which re-checks what it was told. Refusals go to stderr and to syslog
 * (LOG_AUTHPRIV), because the audit file's location lives in the config this program never reads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "cil_signals.h"

#ifndef CI_LAUNCHER_PATH
#error "build with -DCI_LAUNCHER_PATH=\"/usr/bin/ci-launcher\" (build.sh takes it from CI_LAUNCHER_SUID_TARGET)"
#endif

/* Exit codes: 125 is "the launcher failed before the job", as for env(1) and timeout(1). */
#define EXIT_REFUSED 125

/* The only PATH the AOT binary sees; the job's PATH comes from launch.path in the config. */
#define SAFE_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

/* More entries than any job has variables; beyond it the environment is refused, not cut. */
#define MAX_ENV 8192

/* Variables passed through unchanged: the token, and what GitLab's custom executor sets. */
static const char *const keep_exact[] = {
    "CI_LAUNCHER_ID_TOKEN",
    "JOB_RESPONSE_FILE",
    "BUILD_FAILURE_EXIT_CODE",
    "SYSTEM_FAILURE_EXIT_CODE",
    "BUILD_EXIT_CODE_FILE",
    NULL,
};

/*
 * Resource limits, one row per resource, indexed by RLIMIT_* (the names and order of
 * CI_LAUNCHER_CALLER_RLIMITS, which Launcher.Core.Launch.CallerLimits parses). The caller's
 * limits are recorded for the job first; then the privileged part gets these:
 *   SOFT_TO_HARD      soft raised to the hard limit (sudo does the same): nothing the caller set
 *                     low can stop root code halfway (SIGXFSZ, SIGXCPU, ENOMEM, EMFILE);
 *   SOFT_AT_LEAST     soft raised to `soft` (or the hard limit, if lower): an unlimited
 *                     RLIMIT_NOFILE or RLIMIT_STACK buys the launcher nothing;
 *   SOFT_ZERO         no core dumps;
 *   KEEP              limits the launcher does not depend on.
 * `floor` is the lowest hard limit the launcher is known to work with, measured with the AOT
 * binary running a job (docs/launch.md, "Resource limits") plus room for larger configs and
 * the executor's 64 MiB stage scripts. Below it the caller is refused: root without
 * CAP_SYS_RESOURCE cannot raise a hard limit, and failing later would be a crash, not a reason.
 */
enum limit_action { KEEP, SOFT_TO_HARD, SOFT_AT_LEAST, SOFT_ZERO };

struct limit_rule {
    const char *name;    /* in CI_LAUNCHER_CALLER_RLIMITS */
    const char *label;   /* in messages */
    const char *unit;    /* of the values in messages */
    const char *fix;     /* where a site raises the hard limit of the runner */
    enum limit_action action;
    rlim_t floor;        /* 0: none */
    rlim_t soft;         /* SOFT_AT_LEAST only */
};

#define MIB ((rlim_t)1024 * 1024)

static const struct limit_rule limit_rules[RLIM_NLIMITS] = {
    /* At its hard RLIMIT_CPU the kernel SIGKILLs a process (at once for 0): the launcher ended
     * without a word, or its supervisor mid-job, leaving the job unsupervised. A run takes about
     * 20 ms of CPU and a supervisor little more; 10 s is a floor no real runner limit is below. */
    [RLIMIT_CPU] = { "cpu", "RLIMIT_CPU", "seconds", "ulimit -Ht, LimitCPU=", SOFT_TO_HARD, 10, 0 },
    /* Unlimited: any size limit lets a caller end an audit record in the middle of a line. */
    [RLIMIT_FSIZE] = { "fsize", "RLIMIT_FSIZE", "bytes", "ulimit -Hf, LimitFSIZE=", SOFT_TO_HARD, RLIM_INFINITY, 0 },
    /* Measured: a job starts with 24 MiB; the executor reads stage scripts of up to 64 MiB. */
    [RLIMIT_DATA] = { "data", "RLIMIT_DATA", "bytes", "ulimit -Hd, LimitDATA=", SOFT_TO_HARD, 512 * MIB, 0 },
    /* Measured: 32 KiB suffices, 16 KiB crashes; 8 MiB is glibc's default thread stack. */
    [RLIMIT_STACK] = { "stack", "RLIMIT_STACK", "bytes", "ulimit -Hs, LimitSTACK=", SOFT_AT_LEAST, 1 * MIB, 8 * MIB },
    [RLIMIT_CORE] = { "core", "RLIMIT_CORE", "bytes", "", SOFT_ZERO, 0, 0 },
    [RLIMIT_RSS] = { "rss", "RLIMIT_RSS", "bytes", "", SOFT_TO_HARD, 0, 0 },
    [RLIMIT_NPROC] = { "nproc", "RLIMIT_NPROC", "processes", "", SOFT_TO_HARD, 0, 0 },
    /* Measured: a job starts with 8 descriptors (7 aborts the runtime); 256 as sudo raises it to. */
    [RLIMIT_NOFILE] = { "nofile", "RLIMIT_NOFILE", "descriptors", "ulimit -Hn, LimitNOFILE=", SOFT_AT_LEAST, 64, 256 },
    [RLIMIT_MEMLOCK] = { "memlock", "RLIMIT_MEMLOCK", "bytes", "", KEEP, 0, 0 },
    /* Measured: 224 MiB runs a job (the GC sizes its reservation by it; 192 MiB fails at random). */
    [RLIMIT_AS] = { "as", "RLIMIT_AS", "bytes", "ulimit -Hv, LimitAS=", SOFT_TO_HARD, 1024 * MIB, 0 },
    [RLIMIT_LOCKS] = { "locks", "RLIMIT_LOCKS", "locks", "", KEEP, 0, 0 },
    [RLIMIT_SIGPENDING] = { "sigpending", "RLIMIT_SIGPENDING", "signals", "", KEEP, 0, 0 },
    [RLIMIT_MSGQUEUE] = { "msgqueue", "RLIMIT_MSGQUEUE", "bytes", "", KEEP, 0, 0 },
    [RLIMIT_NICE] = { "nice", "RLIMIT_NICE", "", "", KEEP, 0, 0 },
    [RLIMIT_RTPRIO] = { "rtprio", "RLIMIT_RTPRIO", "", "", KEEP, 0, 0 },
    [RLIMIT_RTTIME] = { "rttime", "RLIMIT_RTTIME", "microseconds", "", KEEP, 0, 0 },
};

_Static_assert(RLIM_NLIMITS == 16, "a new resource limit: add its row here and its name to Launcher.Core.Launch.CallerLimits");

#define CALLER_RLIMITS "CI_LAUNCHER_CALLER_RLIMITS="

/* Job variables of the custom executor; their values are data for the job, never for us. */
#define CUSTOM_ENV_PREFIX "CUSTOM_ENV_"

/* Locale variables: kept only with a value that names a locale, never a path to load. */
static const char *const locale_names[] = {
    "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_NUMERIC", "LC_TIME", "LC_COLLATE", "LC_MONETARY",
    "LC_MESSAGES", "LC_PAPER", "LC_NAME", "LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT",
    "LC_IDENTIFICATION", NULL,
};

static void refuse(const char *reason, const char *detail)
{
    fprintf(stderr, "ci-launcher-suid: %s: %s\n", reason, detail);
    openlog("ci-launcher-suid", LOG_PID, LOG_AUTHPRIV);
    syslog(LOG_WARNING, "refused: %s: %s (caller uid %u)", reason, detail, (unsigned)getuid());
    closelog();
    exit(EXIT_REFUSED);
}

static void format_limit(char *buf, size_t size, rlim_t value)
{
    if (value == RLIM_INFINITY)
        snprintf(buf, size, "inf");
    else
        snprintf(buf, size, "%llu", (unsigned long long)value);
}

/* "CI_LAUNCHER_CALLER_RLIMITS=cpu=inf/inf,fsize=...": every resource, soft/hard, in RLIMIT_* order. */
static void save_caller_limits(char *out, size_t size)
{
    size_t used = (size_t)snprintf(out, size, "%s", CALLER_RLIMITS);
    for (int r = 0; r < RLIM_NLIMITS; r++) {
        struct rlimit lim;
        char soft[24], hard[24];
        if (getrlimit(r, &lim) != 0) {
            char detail[128];
            snprintf(detail, sizeof detail, "getrlimit(%s) failed: %s", limit_rules[r].label, strerror(errno));
            refuse("launch.rlimit", detail);
        }
        format_limit(soft, sizeof soft, lim.rlim_cur);
        format_limit(hard, sizeof hard, lim.rlim_max);
        used += (size_t)snprintf(out + used, size - used, "%s%s=%s/%s", r == 0 ? "" : ",", limit_rules[r].name, soft, hard);
        if (used >= size)
            refuse("launch.rlimit", "the caller's resource limits do not fit the buffer (report it)");
    }
}

static void set_privileged_limits(void)
{
    for (int r = 0; r < RLIM_NLIMITS; r++) {
        const struct limit_rule *rule = &limit_rules[r];
        struct rlimit lim;
        char detail[400], seen[24], need[40];
        if (rule->action == KEEP)
            continue;
        if (getrlimit(r, &lim) != 0) {
            snprintf(detail, sizeof detail, "getrlimit(%s) failed: %s", rule->label, strerror(errno));
            refuse("launch.rlimit", detail);
        }
        /* RLIM_INFINITY is the largest rlim_t, so "below the floor" covers "not unlimited" too. */
        if (rule->floor != 0 && lim.rlim_max < rule->floor) {
            format_limit(seen, sizeof seen, lim.rlim_max);
            if (rule->floor == RLIM_INFINITY)
                snprintf(need, sizeof need, "unlimited");
            else
                snprintf(need, sizeof need, "at least %llu", (unsigned long long)rule->floor);
            snprintf(detail, sizeof detail,
                     "the caller's hard %s is %s %s; ci-launcher needs it %s, and root cannot raise a hard limit: "
                     "start the runner with a higher one (%s or limits.conf)",
                     rule->label, seen, rule->unit, need, rule->fix);
            refuse("launch.rlimit", detail);
        }
        switch (rule->action) {
        case SOFT_TO_HARD:
            lim.rlim_cur = lim.rlim_max;
            break;
        case SOFT_AT_LEAST:
            if (lim.rlim_cur < rule->soft)
                lim.rlim_cur = rule->soft < lim.rlim_max ? rule->soft : lim.rlim_max;
            break;
        case SOFT_ZERO:
            /* Soft only: the kernel dumps by the soft limit; the job gets the caller's back. */
            lim.rlim_cur = 0;
            break;
        case KEEP:
            break;
        }
        if (setrlimit(r, &lim) != 0) {
            snprintf(detail, sizeof detail, "setrlimit(%s) failed: %s", rule->label, strerror(errno));
            refuse(r == RLIMIT_CORE ? "launch.dumpable" : "launch.rlimit", detail);
        }
    }
}

/* fds 0-2 must be open before anything else is: the next open() would otherwise become stderr. */
static int fix_standard_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        int null = open("/dev/null", O_RDWR | O_NOCTTY);
        if (null != fd)
            return -1;
    }
    return 0;
}

static int name_is(const char *entry, const char *name)
{
    size_t n = strlen(name);
    return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

/* A variable name: letters, digits, underscore, not starting with a digit. */
static int valid_name(const char *entry, size_t len)
{
    if (len == 0 || (entry[0] >= '0' && entry[0] <= '9'))
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = entry[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* "en_US.UTF-8", "C", "de_DE@euro": no '/', no "..", short. glibc loads locales named by path. */
static int safe_locale(const char *value)
{
    size_t len = strlen(value);
    if (len == 0 || len > 64 || strstr(value, "..") != NULL)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = value[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
              || c == '-' || c == '@' || c == ':'))
            return 0;
    }
    return 1;
}

/* "UTC", "Europe/Berlin", "EST5EDT,M3.2.0,M11.1.0": a zone name or POSIX rule, never a file outside zoneinfo. */
static int safe_tz(const char *value)
{
    const char *v = value[0] == ':' ? value + 1 : value;
    size_t len = strlen(v);
    if (len == 0 || len > 64 || v[0] == '/' || strstr(v, "..") != NULL)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = v[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+'
              || c == '-' || c == '/' || c == ',' || c == '.' || c == '<' || c == '>'))
            return 0;
    }
    return 1;
}

static int keep(const char *entry)
{
    const char *eq = strchr(entry, '=');
    if (eq == NULL || !valid_name(entry, (size_t)(eq - entry)))
        return 0;
    for (const char *const *k = keep_exact; *k != NULL; k++)
        if (name_is(entry, *k))
            return 1;
    if (strncmp(entry, CUSTOM_ENV_PREFIX, strlen(CUSTOM_ENV_PREFIX)) == 0)
        return 1;
    for (const char *const *k = locale_names; *k != NULL; k++)
        if (name_is(entry, *k))
            return safe_locale(eq + 1);
    if (name_is(entry, "TZ"))
        return safe_tz(eq + 1);
    return 0;
}

/* Same name as an entry already kept: getenv() takes the first, other readers the last, so keep only the first. */
static int duplicate(char *const *kept, size_t count, const char *entry)
{
    size_t n = (size_t)(strchr(entry, '=') - entry) + 1;
    for (size_t i = 0; i < count; i++)
        if (strncmp(kept[i], entry, n) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv, char **envp)
{
    static char *clean[MAX_ENV + 3];
    size_t count = 0;

    if (fix_standard_fds() != 0)
        return EXIT_REFUSED; /* no usable stderr to explain on */
    /* Nothing the privileged part does needs a caller's descriptor (a token comes by path or on
     * stdin); left open they count against RLIMIT_NOFILE, and a full table ended the runtime in an
     * unhandled EMFILE with a stack trace. glibc: close_range, else a /proc/self/fd walk. */
    closefrom(3);
    /* Linux >= 5.18 turns an empty argv into {""}: an empty argv[0] is the same attack. */
    if (argc < 1 || argv[0] == NULL || argv[0][0] == '\0')
        refuse("launch.empty_argv", "started with an empty argument vector; run it as 'ci-launcher-suid run ...'");

    static char caller_rlimits[sizeof CALLER_RLIMITS + RLIM_NLIMITS * 64];
    save_caller_limits(caller_rlimits, sizeof caller_rlimits);
    set_privileged_limits();
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        refuse("launch.dumpable", "cannot switch off core dumps");

    cil_default_signal_dispositions();
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
        refuse("launch.signals", "cannot unblock signals");

    umask(022);
    /* Root's group for what the privileged part creates (the audit log, the job's state directory
     * and cgroup), as sudo's PERM_ROOT does; otherwise those carry the caller's group, one chmod g+r
     * away from being the caller group's to read. The real gid stays the caller's: files the caller
     * names are opened with it, and the job's drop proves it cannot be regained. */
    if (geteuid() == 0 && setresgid((gid_t)-1, 0, 0) != 0)
        refuse("launch.root_group", "cannot take root's group as the effective group");

    clean[count++] = SAFE_PATH;
    clean[count++] = caller_rlimits; /* after the allowlist dropped any copy the caller set */
    for (char **e = envp; e != NULL && *e != NULL; e++) {
        if (!keep(*e) || duplicate(clean, count, *e))
            continue;
        if (count >= MAX_ENV + 1)
            refuse("launch.environment", "more than 8192 environment variables");
        clean[count++] = *e;
    }
    clean[count] = NULL;

    /* argv[0] is the caller's to choose; the AOT binary gets its real path instead. */
    argv[0] = (char *)CI_LAUNCHER_PATH;
    execve(CI_LAUNCHER_PATH, argv, clean);

    int err = errno;
    char detail[512];
    /* E2BIG is the caller's argument list or environment, not the installation. */
    snprintf(detail, sizeof detail, "cannot execute %s: %s (%s)", CI_LAUNCHER_PATH, strerror(err),
             err == E2BIG ? "the arguments and environment are too large; pass fewer CUSTOM_ENV_ variables or shorter ones"
                          : "reinstall ci-launcher; this wrapper was built for that path");
    refuse("launch.exec_failed", detail);
    return EXIT_REFUSED;
}
