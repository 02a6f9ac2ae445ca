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
 *      opens later becomes its stdout or stderr;
 *   2. refuse an empty argv (CVE-2021-4034: argv[1] would alias envp[0]) or an empty argv[0];
 *   3. switch off core dumps (RLIMIT_CORE 0, PR_SET_DUMPABLE 0): a dump of this process holds
 *      root's view of memory and lands where the caller chooses;
 *   4. put every signal back to its default and unblock them: ignored signals survive exec,
 *      and an ignored SIGCHLD would make the kernel reap the job before the supervisor sees
 *      its exit status;
 *   5. set umask 022, so files created as root (the audit log) are not caller-writable;
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
    static char *clean[MAX_ENV + 2];
    size_t count = 0;

    if (fix_standard_fds() != 0)
        return EXIT_REFUSED; /* no usable stderr to explain on */
    /* Linux >= 5.18 turns an empty argv into {""}: an empty argv[0] is the same attack. */
    if (argc < 1 || argv[0] == NULL || argv[0][0] == '\0')
        refuse("launch.empty_argv", "started with an empty argument vector; run it as 'ci-launcher-suid run ...'");

    /* Soft limit only: the kernel dumps by the soft limit, and the job may raise it again up to the hard one. */
    struct rlimit core;
    if (getrlimit(RLIMIT_CORE, &core) != 0)
        refuse("launch.rlimit", "getrlimit(RLIMIT_CORE) failed");
    core.rlim_cur = 0;
    if (setrlimit(RLIMIT_CORE, &core) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        refuse("launch.dumpable", "cannot switch off core dumps");

    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            (void)sigaction(sig, &dfl, NULL); /* EINVAL for glibc's internal signals is expected */
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
        refuse("launch.signals", "cannot unblock signals");

    umask(022);

    clean[count++] = SAFE_PATH;
    for (char **e = envp; e != NULL && *e != NULL; e++) {
        if (!keep(*e) || duplicate(clean, count, *e))
            continue;
        if (count >= MAX_ENV)
            refuse("launch.environment", "more than 8192 environment variables");
        clean[count++] = *e;
    }
    clean[count] = NULL;

    /* argv[0] is the caller's to choose; the AOT binary gets its real path instead. */
    argv[0] = (char *)CI_LAUNCHER_PATH;
    execve(CI_LAUNCHER_PATH, argv, clean);

    char detail[512];
    snprintf(detail, sizeof detail, "cannot execute %s: %s (reinstall ci-launcher; this wrapper was built for that path)",
             CI_LAUNCHER_PATH, strerror(errno));
    refuse("launch.exec_failed", detail);
    return EXIT_REFUSED;
}
