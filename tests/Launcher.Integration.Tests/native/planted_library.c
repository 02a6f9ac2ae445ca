/*
 * planted_library.c - built under the names ci-launcher's P/Invokes use (libc.so.6,
 * libpthread.so.0) and put beside a copy of the binary. Its constructor leaves a mark in MARKER
 * if it is ever loaded. Every native call of the tree is bound at link time
 * (src/Launcher.Posix/Interop/DirectPInvoke.props), so nothing is looked up by name at run time
 * and it never is; a call NativeAOT binds lazily would first try the binary's own directory.
 */
#include <fcntl.h>
#include <unistd.h>

__attribute__((constructor)) static void planted(void)
{
    int fd = open(MARKER, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        (void)write(fd, "loaded\n", 7);
        close(fd);
    }
}
