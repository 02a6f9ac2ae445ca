/*
 * pam_app - a minimal PAM application for the tests: authenticates USER against SERVICE with
 * the bytes of TOKEN_FILE as the password, then runs account management, and reports whether
 * the module changed any signal disposition of this (host) process.
 *
 *   pam_app SERVICE USER TOKEN_FILE [--authtok] [--repeat N]
 *
 * --authtok puts the password in the environment variable PAM_AUTHTOK, which pam_wrapper's
 * pam_set_items.so (stacked first in the test service) turns into the PAM_AUTHTOK item, as an
 * earlier module would (applications cannot set that item themselves). The module under test
 * then needs use_first_pass or try_first_pass. The password is a C string, so a NUL byte in the file ends
 * it, exactly as it would for any PAM application.
 *
 * Prints: "auth=N account=N prompts=N signals=unchanged" or "... signals=changed:SIGNO,...".
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

static char *password;
static int prompts;

static void on_signal(int sig) { (void)sig; }

static int converse(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
    (void)data;
    struct pam_response *r = calloc(n, sizeof *r);
    if (r == NULL) return PAM_BUF_ERR;
    for (int i = 0; i < n; i++) {
        if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON) {
            prompts++;
            r[i].resp = strdup(password);
        }
    }
    *resp = r;
    return PAM_SUCCESS;
}

/* Host dispositions the module must leave alone: a handler on each, so SIG_IGN or another handler shows. */
static const int watched[] = { SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGCHLD, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH, SIGURG };
#define WATCHED (sizeof watched / sizeof watched[0])

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: pam_app SERVICE USER TOKEN_FILE [--authtok] [--repeat N]\n");
        return 2;
    }
    int authtok = 0, repeat = 1;
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--authtok") == 0) authtok = 1;
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) repeat = atoi(argv[++i]);
        else { fprintf(stderr, "pam_app: unknown option %s\n", argv[i]); return 2; }
    }
    FILE *f = fopen(argv[3], "rb");
    if (f == NULL) { perror(argv[3]); return 2; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    password = calloc(size + 1, 1);
    if (password == NULL || fread(password, 1, size, f) != (size_t)size) { perror(argv[3]); return 2; }
    fclose(f);

    if (authtok && setenv("PAM_AUTHTOK", password, 1) != 0) { perror("setenv"); return 2; }

    struct sigaction before[WATCHED], after;
    for (size_t i = 0; i < WATCHED; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(watched[i], &sa, NULL);
        sigaction(watched[i], NULL, &before[i]);
    }

    int auth = -1, account = -1;
    for (int k = 0; k < repeat; k++) {
        struct pam_conv conv = { converse, NULL };
        pam_handle_t *pamh = NULL;
        int rc = pam_start(argv[1], argv[2], &conv, &pamh);
        if (rc != PAM_SUCCESS) { fprintf(stderr, "pam_start: %d\n", rc); return 2; }
        pam_set_item(pamh, PAM_RHOST, "192.0.2.7");
        auth = pam_authenticate(pamh, 0);
        account = pam_acct_mgmt(pamh, 0);
        pam_end(pamh, auth);
    }

    printf("auth=%d account=%d prompts=%d signals=", auth, account, prompts);
    int changed = 0;
    for (size_t i = 0; i < WATCHED; i++) {
        sigaction(watched[i], NULL, &after);
        if (after.sa_handler != before[i].sa_handler || after.sa_flags != before[i].sa_flags) {
            printf("%s%d", changed ? "," : "changed:", watched[i]);
            changed = 1;
        }
    }
    printf("%s\n", changed ? "" : "unchanged");
    return 0;
}
