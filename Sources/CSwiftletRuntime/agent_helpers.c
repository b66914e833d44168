// System calls the agent needs that Swift cannot reach: pidfd calls (variadic syscall(2)) and the
// _GNU_SOURCE ones (pipe2, O_PATH, memfd_create) that Glibc's Swift module does not expose.
#include "CSwiftletRuntime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
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

int SL_set_window_size(int fd, unsigned short rows, unsigned short columns) {
    struct winsize size = { .ws_row = rows, .ws_col = columns };
    return ioctl(fd, TIOCSWINSZ, &size);
}

int SL_socketpair_cloexec(int fds[2]) { return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds); }

int SL_receive_fd(int socket) {
    char data;
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec vector = { .iov_base = &data, .iov_len = 1 };
    struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control) };
    ssize_t n;
    do { n = recvmsg(socket, &message, MSG_CMSG_CLOEXEC); } while (n < 0 && errno == EINTR);
    if (n <= 0) { if (n == 0) errno = ECONNRESET; return -1; }
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    if (!header || header->cmsg_type != SCM_RIGHTS) { errno = EBADMSG; return -1; }
    int fd;
    memcpy(&fd, CMSG_DATA(header), sizeof(int));
    return fd;
}
