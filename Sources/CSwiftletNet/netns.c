// Thread-local network namespace switches. The thread returns to its own namespace (kept open
// per thread, see home()) before each call returns; a thread that cannot switch back aborts the process, since
// every later socket it opened would land in the wrong namespace.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>
#include "CSwiftletNet.h"

// Each thread's own namespace, opened on its first switch and kept until the thread exits:
// opening /proc/thread-self/ns/net costs more than the two setns calls of a switch. Every switch
// in the process goes through enter/leave (or returns the thread itself, as
// SL_net_create_namespace does), so a thread is always back in this namespace between calls.
static pthread_key_t home_key;
static pthread_once_t home_once = PTHREAD_ONCE_INIT;
static __thread int home_fd = -1;

static void close_home(void *value) {
    close((int)(intptr_t)value - 1);
}

static void make_home_key(void) {
    if (pthread_key_create(&home_key, close_home) != 0) abort();
}

static int home(void) {
    if (home_fd >= 0) return home_fd;
    int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    pthread_once(&home_once, make_home_key);
    if (pthread_setspecific(home_key, (void *)(intptr_t)(fd + 1)) != 0) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    home_fd = fd;
    return fd;
}

static int enter(int nsfd) {
    int saved = home();
    if (saved < 0) return -1;
    if (setns(nsfd, CLONE_NEWNET) != 0) return -1;
    return saved;
}

static void leave(int saved) {
    int e = errno;
    if (setns(saved, CLONE_NEWNET) != 0) abort();
    errno = e;
}

int SL_net_socket_in(int nsfd, int domain, int type, int protocol) {
    int saved = enter(nsfd);
    if (saved < 0) return -1;
    int fd = socket(domain, type | SOCK_CLOEXEC, protocol);
    leave(saved);
    return fd;
}

int SL_net_open_in(int nsfd, const char *path, int flags) {
    int saved = enter(nsfd);
    if (saved < 0) return -1;
    int fd;
    do { fd = open(path, flags | O_CLOEXEC); } while (fd < 0 && errno == EINTR);
    leave(saved);
    return fd;
}

int SL_net_create_namespace(const char *path) {
    int target = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
    if (target < 0) return -1;
    close(target);
    int saved = home();
    if (saved < 0) return -1;
    int rc = unshare(CLONE_NEWNET);
    if (rc == 0) rc = mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL);
    leave(saved);
    return rc;
}

int SL_net_spawn(int nsfd, const char *path, char *const argv[], char *const envp[],
                 int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    int saved = -1;
    int rc = 0;
    if (nsfd >= 0) {
        saved = enter(nsfd);
        if (saved < 0) rc = errno;
    }
    if (rc == 0) rc = posix_spawn(pid, path, &actions, &attr, argv, envp);
    if (saved >= 0) leave(saved);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}
