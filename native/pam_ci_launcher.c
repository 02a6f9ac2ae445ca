/*
 * pam_ci_launcher.so - accept a CI or site token (a signed JWT) as the password.
 *
 *   auth     sufficient pam_ci_launcher.so config=/etc/ci-launcher/config.yaml
 *   account  required   pam_ci_launcher.so config=/etc/ci-launcher/config.yaml
 *
 * This file is only the PAM side: it reads the module arguments, gets the token from
 * PAM_AUTHTOK or the conversation, and asks libci-launcher-pam.so (native AOT, same decision
 * path as `ci-launcher validate`) through the ABI in ci_launcher_pam.h. It never looks inside
 * the token and never logs it.
 *
 * The library carries a .NET runtime. Two things follow, both handled here:
 *  - it is loaded once per process (RTLD_NODELETE; the runtime cannot be unloaded), and
 *  - starting the runtime changes signal dispositions of the host (SIGPIPE ignored, handlers
 *    for SIGCHLD, SIGINT, SIGQUIT, SIGCONT, SIGWINCH, SIGTTOU...). sshd relies on its own
 *    SIGCHLD and SIGPIPE handling, so they are saved before the runtime starts and put back
 *    afterwards. See restore_host_signals() for the ones deliberately left to the runtime.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "ci_launcher_pam.h"

#define LIBRARY_NAME "libci-launcher-pam.so"
#define TOKEN_PROMPT "Token: "
#define REASON_BYTES 512

extern char **environ;

struct options {
    const char *config;
    const char *library; /* NULL: next to this module */
    int debug;
    int use_first_pass;
    int try_first_pass;
};

struct library {
    char path[PATH_MAX];
    cil_pam_authenticate_fn authenticate;
    cil_pam_account_fn account;
};

/* One runtime per process: the first successful load wins and is never unloaded. */
static pthread_mutex_t library_lock = PTHREAD_MUTEX_INITIALIZER;
static struct library loaded;
static int library_ready;

/* ---- arguments ----------------------------------------------------------------------- */

static int parse_options(pam_handle_t *pamh, int argc, const char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "config=", 7) == 0)
            o->config = a + 7;
        else if (strncmp(a, "library=", 8) == 0)
            o->library = a + 8;
        else if (strcmp(a, "debug") == 0)
            o->debug = 1;
        else if (strcmp(a, "use_first_pass") == 0)
            o->use_first_pass = 1;
        else if (strcmp(a, "try_first_pass") == 0)
            o->try_first_pass = 1;
        else {
            /* Fail closed: a misspelt option (e.g. "conifg=") must not silently change behaviour. */
            pam_syslog(pamh, LOG_ERR, "config.invalid: unknown module argument '%s' (known: config= library= debug use_first_pass try_first_pass)", a);
            return -1;
        }
    }
    if (o->config == NULL || o->config[0] != '/') {
        pam_syslog(pamh, LOG_ERR, "config.invalid: module argument config=/absolute/path/config.yaml is %s",
                   o->config == NULL ? "missing" : "not an absolute path");
        return -1;
    }
    if (o->library != NULL && o->library[0] != '/') {
        pam_syslog(pamh, LOG_ERR, "config.invalid: module argument library=%s is not an absolute path", o->library);
        return -1;
    }
    return 0;
}

/* Copies s for a log line: non-printable bytes become '?', so a user name cannot forge log lines. */
static const char *printable(const char *s, char *buf, size_t len)
{
    size_t i = 0;
    if (s == NULL)
        s = "";
    for (; s[i] != '\0' && i + 1 < len; i++)
        buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    buf[i] = '\0';
    return buf;
}

/* ---- loading the library ------------------------------------------------------------- */

static int default_library_path(char *out, size_t len)
{
    Dl_info info;
    if (dladdr((void *)&default_library_path, &info) == 0 || info.dli_fname == NULL)
        return -1;
    const char *slash = strrchr(info.dli_fname, '/');
    if (slash == NULL)
        return -1;
    int n = snprintf(out, len, "%.*s/%s", (int)(slash - info.dli_fname), info.dli_fname, LIBRARY_NAME);
    return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

/* The library runs inside sshd as root: it must be as trusted as the module itself. */
static int library_is_trusted(pam_handle_t *pamh, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        pam_syslog(pamh, LOG_ERR, "config.invalid: library %s: %s (set library= or install it next to the module)", path, strerror(errno));
        return 0;
    }
    if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
        pam_syslog(pamh, LOG_ERR, "config.untrusted: library %s must be a regular file owned by root and not group/world-writable (mode %04o, uid %u)",
                   path, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
        return 0;
    }
    return 1;
}

/*
 * The runtime reads DOTNET_* and COMPlus_* before any of our code runs (a crash-dump variable
 * makes a root process write a dump to a chosen path). In a set-id host (su, sudo) the
 * environment belongs to the caller, so the runtime must not start there with such variables.
 */
static int environment_is_safe(pam_handle_t *pamh)
{
    if (getauxval(AT_SECURE) == 0)
        return 1;
    for (char **e = environ; e != NULL && *e != NULL; e++) {
        if (strncmp(*e, "DOTNET_", 7) == 0 || strncmp(*e, "COMPlus_", 8) == 0 || strncmp(*e, "CORECLR_", 8) == 0) {
            char name[64];
            size_t n = strcspn(*e, "=");
            snprintf(name, sizeof name, "%.*s", (int)(n < 60 ? n : 60), *e);
            pam_syslog(pamh, LOG_ERR, "config.untrusted: refusing to start the .NET runtime in a set-id process whose environment has %s", name);
            return 0;
        }
    }
    return 1;
}

/*
 * Signals whose disposition belongs to the host. The runtime's synchronous fault handlers
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP) and its real-time activation signal stay: they
 * turn faults in managed code into exceptions and let the GC suspend threads, and for faults
 * outside managed code they chain to the handler the host had.
 */
static const int host_signals[] = {
    SIGHUP, SIGINT, SIGQUIT, SIGABRT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGCHLD,
    SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH,
    SIGIO, SIGPWR, SIGSYS,
};
#define HOST_SIGNAL_COUNT (sizeof host_signals / sizeof host_signals[0])

struct host_signal_state {
    struct sigaction action[HOST_SIGNAL_COUNT];
    sigset_t mask;
};

static void save_host_signals(struct host_signal_state *s)
{
    for (size_t i = 0; i < HOST_SIGNAL_COUNT; i++)
        sigaction(host_signals[i], NULL, &s->action[i]);
    pthread_sigmask(SIG_SETMASK, NULL, &s->mask);
}

static void restore_host_signals(const struct host_signal_state *s)
{
    for (size_t i = 0; i < HOST_SIGNAL_COUNT; i++)
        sigaction(host_signals[i], &s->action[i], NULL);
    pthread_sigmask(SIG_SETMASK, &s->mask, NULL);
}

/* Loads the library and starts its runtime once per process. Returns 0, or -1 after logging why. */
static int load_library(pam_handle_t *pamh, const struct options *o, struct library *out)
{
    char path[PATH_MAX];
    if (o->library != NULL) {
        if (snprintf(path, sizeof path, "%s", o->library) >= (int)sizeof path)
            return -1;
    } else if (default_library_path(path, sizeof path) != 0) {
        pam_syslog(pamh, LOG_ERR, "config.invalid: cannot find the directory of pam_ci_launcher.so; set library=");
        return -1;
    }

    int rc = -1;
    pthread_mutex_lock(&library_lock);
    if (library_ready) {
        if (strcmp(loaded.path, path) == 0) {
            *out = loaded;
            rc = 0;
        } else {
            pam_syslog(pamh, LOG_ERR, "config.invalid: library %s requested, but %s is already loaded in this process (one runtime per process; use the same library= everywhere)", path, loaded.path);
        }
        goto done;
    }
    if (!library_is_trusted(pamh, path) || !environment_is_safe(pamh))
        goto done;

    struct host_signal_state saved;
    save_host_signals(&saved);
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (handle == NULL) {
        restore_host_signals(&saved);
        const char *err = dlerror();
        pam_syslog(pamh, LOG_ERR, "config.invalid: cannot load %s: %s", path, err ? err : "unknown error");
        goto done;
    }
    cil_pam_abi_version_fn version = (cil_pam_abi_version_fn)dlsym(handle, "cil_pam_abi_version");
    cil_pam_authenticate_fn authenticate = (cil_pam_authenticate_fn)dlsym(handle, "cil_pam_authenticate");
    cil_pam_account_fn account = (cil_pam_account_fn)dlsym(handle, "cil_pam_account");
    if (version == NULL || authenticate == NULL || account == NULL) {
        restore_host_signals(&saved);
        pam_syslog(pamh, LOG_ERR, "config.invalid: %s does not export the cil_pam_* functions; is it libci-launcher-pam.so?", path);
        goto done;
    }
    /* The first call starts the runtime; everything it does to the host's signals happens here. */
    int abi = version();
    restore_host_signals(&saved);
    if (abi != CIL_PAM_ABI_VERSION) {
        pam_syslog(pamh, LOG_ERR, "config.invalid: %s speaks ABI %d, this module needs %d (install matching versions)", path, abi, CIL_PAM_ABI_VERSION);
        goto done;
    }
    snprintf(loaded.path, sizeof loaded.path, "%s", path);
    loaded.authenticate = authenticate;
    loaded.account = account;
    library_ready = 1;
    *out = loaded;
    rc = 0;
    if (o->debug)
        pam_syslog(pamh, LOG_DEBUG, "loaded %s", path);
done:
    pthread_mutex_unlock(&library_lock);
    return rc;
}

/* ---- PAM entry points ---------------------------------------------------------------- */

static int pam_code(int result, int for_account)
{
    switch (result) {
    case CIL_PAM_OK: return PAM_SUCCESS;
    case CIL_PAM_DENIED: return PAM_AUTH_ERR;
    case CIL_PAM_USER_UNKNOWN: return PAM_USER_UNKNOWN;
    case CIL_PAM_UNAVAILABLE: return PAM_AUTHINFO_UNAVAIL;
    case CIL_PAM_ACCOUNT_DENIED: return for_account ? PAM_PERM_DENIED : PAM_AUTH_ERR;
    case CIL_PAM_ACCOUNT_EXPIRED: return for_account ? PAM_ACCT_EXPIRED : PAM_AUTH_ERR;
    default: return PAM_SERVICE_ERR; /* bad argument, internal error, or a code this shim does not know */
    }
}

struct request {
    const char *user;
    const char *service;
    const char *rhost;
};

static int get_request(pam_handle_t *pamh, struct request *r)
{
    const void *item = NULL;
    int rc = pam_get_user(pamh, &r->user, NULL);
    if (rc != PAM_SUCCESS || r->user == NULL || r->user[0] == '\0') {
        pam_syslog(pamh, LOG_NOTICE, "pam.bad_argument: no user name (%s)", pam_strerror(pamh, rc));
        return rc == PAM_SUCCESS ? PAM_USER_UNKNOWN : rc;
    }
    r->service = pam_get_item(pamh, PAM_SERVICE, &item) == PAM_SUCCESS ? item : NULL;
    item = NULL;
    r->rhost = pam_get_item(pamh, PAM_RHOST, &item) == PAM_SUCCESS ? item : NULL;
    return PAM_SUCCESS;
}

static void log_result(pam_handle_t *pamh, const char *stage, const struct request *r, int result, const char *reason, int debug)
{
    char user[64], rhost[128];
    if (result == CIL_PAM_OK && !debug) {
        pam_syslog(pamh, LOG_INFO, "%s: user=%s rhost=%s: ok", stage, printable(r->user, user, sizeof user), printable(r->rhost, rhost, sizeof rhost));
        return;
    }
    pam_syslog(pamh, result == CIL_PAM_OK ? LOG_INFO : LOG_NOTICE, "%s: user=%s rhost=%s: %s", stage,
               printable(r->user, user, sizeof user), printable(r->rhost, rhost, sizeof rhost), reason);
}

/* Asks the conversation for the token; stores it as PAM_AUTHTOK for later modules (use_first_pass). */
static int prompt_token(pam_handle_t *pamh, const char **token)
{
    char *response = NULL;
    int rc = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &response, "%s", TOKEN_PROMPT);
    if (rc != PAM_SUCCESS) {
        pam_syslog(pamh, LOG_NOTICE, "token.missing: conversation failed: %s", pam_strerror(pamh, rc));
        return rc;
    }
    if (response == NULL) {
        *token = NULL;
        return PAM_SUCCESS;
    }
    rc = pam_set_item(pamh, PAM_AUTHTOK, response);
    explicit_bzero(response, strlen(response));
    free(response);
    if (rc != PAM_SUCCESS)
        return rc;
    const void *item = NULL;
    rc = pam_get_item(pamh, PAM_AUTHTOK, &item);
    *token = item;
    return rc;
}

static int verify(const struct library *lib, const struct options *o, const struct request *r, const char *token,
                  char *reason, size_t reason_len)
{
    /* Bounded: a 100 KiB password is refused by length without scanning all of it. */
    size_t len = token == NULL ? 0 : strnlen(token, CIL_PAM_MAX_TOKEN_BYTES + 1);
    return lib->authenticate(o->config, r->user, token == NULL ? "" : token, len, r->service, r->rhost, reason, reason_len);
}

/* One PAM call as the stages see it: the module arguments, the request and the loaded library. */
struct call {
    pam_handle_t *pamh;
    struct options o;
    struct request r;
    struct library lib;
    char reason[REASON_BYTES];
};

/* auth: the token from the stack or the conversation, verified for the PAM user. */
static int authenticate_stage(struct call *c)
{
    const char *token = NULL;
    int from_stack = 0;
    if (c->o.use_first_pass || c->o.try_first_pass) {
        const void *item = NULL;
        if (pam_get_item(c->pamh, PAM_AUTHTOK, &item) == PAM_SUCCESS && item != NULL) {
            token = item;
            from_stack = 1;
        }
    }
    if (token == NULL && !c->o.use_first_pass) {
        int rc = prompt_token(c->pamh, &token);
        if (rc != PAM_SUCCESS)
            return rc;
    }

    int result = verify(&c->lib, &c->o, &c->r, token, c->reason, sizeof c->reason);
    /* try_first_pass: the earlier module's password was not our token; ask for the token once. */
    if (result == CIL_PAM_DENIED && from_stack && c->o.try_first_pass) {
        if (c->o.debug)
            log_result(c->pamh, "auth (first pass)", &c->r, result, c->reason, 1);
        int rc = prompt_token(c->pamh, &token);
        if (rc != PAM_SUCCESS)
            return rc;
        result = verify(&c->lib, &c->o, &c->r, token, c->reason, sizeof c->reason);
    }
    log_result(c->pamh, "auth", &c->r, result, c->reason, c->o.debug);
    return pam_code(result, 0);
}

/* account: the config's account checks for the PAM user. */
static int account_stage(struct call *c)
{
    int result = c->lib.account(c->o.config, c->r.user, c->r.service, c->r.rhost, c->reason, sizeof c->reason);
    log_result(c->pamh, "account", &c->r, result, c->reason, c->o.debug);
    return pam_code(result, 1);
}

/* What every entry point does first (the module arguments, the PAM request, the library), then its stage. */
static int serve(pam_handle_t *pamh, int argc, const char **argv, int (*stage)(struct call *))
{
    struct call c = { .pamh = pamh, .reason = "" };
    if (parse_options(pamh, argc, argv, &c.o) != 0)
        return PAM_AUTHINFO_UNAVAIL;
    int rc = get_request(pamh, &c.r);
    if (rc != PAM_SUCCESS)
        return rc;
    if (load_library(pamh, &c.o, &c.lib) != 0)
        return PAM_AUTHINFO_UNAVAIL;
    return stage(&c);
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)flags;
    return serve(pamh, argc, argv, authenticate_stage);
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)pamh;
    (void)flags;
    (void)argc;
    (void)argv;
    /* A token grants no credentials of its own (no Kerberos ticket, no groups): nothing to set. */
    return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)flags;
    return serve(pamh, argc, argv, account_stage);
}
