/*
 * abi_stress - calls cil_pam_authenticate of libci-launcher-pam.so from N threads, in one
 * process, and checks every answer against the expected result code.
 *
 *   abi_stress LIBRARY CONFIG THREADS ITERATIONS CASES [CASES...]
 *
 * A CASES file has one case per line: "EXPECTED_CODE USER TOKEN_FILE". Each thread runs
 * ITERATIONS calls, cycling through the cases from its own offset. Between two CASES files
 * the harness prints "phase N done" and waits for a line on stdin, so a test can change the
 * config while the library stays loaded. Prints, per phase:
 *   phase=N calls=C mismatches=M seconds=S per_call_us=U
 * and once: cold_ms=T (dlopen + runtime start + first authentication).
 * Exit 0 when every answer matched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../../native/ci_launcher_pam.h"

struct test_case {
    int expected;
    char user[64];
    char *token;
    size_t token_len;
};

static cil_pam_authenticate_fn authenticate;
static const char *config;
static struct test_case *cases;
static size_t case_count;
static long iterations;
static long mismatches;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n + 1);
    if (buf == NULL || fread(buf, 1, n, f) != (size_t)n) { perror(path); exit(2); }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void load_cases(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) { perror(path); exit(2); }
    char file[4096];
    struct test_case c;
    case_count = 0;
    free(cases);
    cases = NULL;
    while (fscanf(f, "%d %63s %4095s", &c.expected, c.user, file) == 3) {
        c.token = read_file(file, &c.token_len);
        cases = realloc(cases, (case_count + 1) * sizeof *cases);
        cases[case_count++] = c;
    }
    fclose(f);
    if (case_count == 0) { fprintf(stderr, "%s: no cases\n", path); exit(2); }
}

static int run_case(const struct test_case *c)
{
    char reason[512];
    int rc = authenticate(config, c->user, c->token, c->token_len, "abi-stress", "127.0.0.1", reason, sizeof reason);
    if (rc != c->expected) {
        pthread_mutex_lock(&lock);
        if (mismatches++ < 5)
            fprintf(stderr, "mismatch: user %s expected %d got %d: %s\n", c->user, c->expected, rc, reason);
        pthread_mutex_unlock(&lock);
    }
    return rc;
}

static void *worker(void *arg)
{
    size_t offset = (size_t)arg;
    for (long i = 0; i < iterations; i++)
        run_case(&cases[(offset + i) % case_count]);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: abi_stress LIBRARY CONFIG THREADS ITERATIONS CASES [CASES...]\n");
        return 2;
    }
    config = argv[2];
    int threads = atoi(argv[3]);
    iterations = atol(argv[4]);
    if (threads < 1 || threads > 256 || iterations < 1) { fprintf(stderr, "bad THREADS or ITERATIONS\n"); return 2; }

    load_cases(argv[5]);
    double t0 = now();
    void *handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (handle == NULL) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 2; }
    authenticate = (cil_pam_authenticate_fn)dlsym(handle, "cil_pam_authenticate");
    if (authenticate == NULL) { fprintf(stderr, "dlsym: %s\n", dlerror()); return 2; }
    run_case(&cases[0]);
    printf("cold_ms=%.3f\n", (now() - t0) * 1000);

    for (int phase = 5; phase < argc; phase++) {
        if (phase > 5) {
            printf("phase %d done\n", phase - 5);
            fflush(stdout);
            char line[16];
            if (fgets(line, sizeof line, stdin) == NULL) return 2;
            load_cases(argv[phase]);
        }
        long before = mismatches;
        pthread_t tids[256];
        double start = now();
        for (int t = 0; t < threads; t++)
            pthread_create(&tids[t], NULL, worker, (void *)(size_t)t);
        for (int t = 0; t < threads; t++)
            pthread_join(tids[t], NULL);
        double seconds = now() - start;
        long calls = (long)threads * iterations;
        printf("phase=%d calls=%ld mismatches=%ld seconds=%.3f per_call_us=%.1f\n", phase - 4, calls, mismatches - before,
               seconds, seconds * 1e6 / calls * threads);
        fflush(stdout);
    }
    return mismatches == 0 ? 0 : 1;
}
