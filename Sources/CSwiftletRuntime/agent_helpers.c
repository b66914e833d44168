// System calls the agent needs that Swift cannot reach: pidfd calls (variadic syscall(2)) and the
// _GNU_SOURCE ones (pipe2, O_PATH, memfd_create) that Glibc's Swift module does not expose.
#include "CSwiftletRuntime.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int SL_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int SL_pidfd_send_signal(int pidfd, int signal) { return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0); }

int SL_pidfd_reap(int pidfd) {
    siginfo_t info;
    return waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | WNOHANG);
}

int SL_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int SL_open_path(const char *path) { return open(path, O_PATH | O_CLOEXEC); }

int SL_memfd_cloexec(const char *name) { return memfd_create(name, MFD_CLOEXEC); }
