/*
 * cil_signals.h - every signal back to its default disposition, for a process about to exec
 * something on a caller's behalf. Ignored signals survive execve: an ignored SIGCHLD makes the
 * kernel reap a job's children before anyone sees their exit status, an ignored SIGTERM or
 * SIGHUP makes a job deaf to cancellation. Only sigaction(2) and memset: async-signal-safe, so
 * the forked child of a multithreaded process may call it.
 *
 * Used by ci-launcher-suid.c (before it execs the AOT binary) and cil_spawn.c (in the job's
 * child before execve), which are linked separately: hence a static inline function in a header.
 */
#ifndef CIL_SIGNALS_H
#define CIL_SIGNALS_H

#include <signal.h>
#include <string.h>

static inline void cil_default_signal_dispositions(void)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            (void)sigaction(sig, &dfl, NULL); /* EINVAL for glibc's internal signals is expected */
}

#endif
