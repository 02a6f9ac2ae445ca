/*
 * room_check_fooled.so - an LD_PRELOAD library for the audit writer tests: getrlimit reports
 * RLIMIT_FSIZE as unlimited, so the writer's room check passes and its write(2) meets the real
 * limit. That is the situation of a writer whose room another writer took between the check and
 * the write, made deterministic. (The binaries bind libc at link time, DirectPInvoke, so the
 * preload sees their calls.)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/resource.h>

int getrlimit(__rlimit_resource_t resource, struct rlimit *limit)
{
    int (*real)(__rlimit_resource_t, struct rlimit *) = (int (*)(__rlimit_resource_t, struct rlimit *))dlsym(RTLD_NEXT, "getrlimit");
    int rc = real(resource, limit);
    if (rc == 0 && resource == RLIMIT_FSIZE)
        limit->rlim_cur = limit->rlim_max = RLIM_INFINITY;
    return rc;
}
