// System calls the agent needs that Swift cannot reach: pidfd calls (variadic syscall(2)) and the
// _GNU_SOURCE ones (pipe2, O_PATH, memfd_create) that Glibc's Swift module does not expose.
#include "CSwiftletRuntime.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
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

int SL_openpty(int *master, int *slave) {
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return -1;
    char name[128];
    if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, sizeof(name)) != 0) { close(m); return -1; }
    int s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) { close(m); return -1; }
    *master = m;
    *slave = s;
    return 0;
}

int SL_set_window_size(int fd, unsigned short rows, unsigned short columns) {
    struct winsize size = { .ws_row = rows, .ws_col = columns };
    return ioctl(fd, TIOCSWINSZ, &size);
}
