// Sandbox namespaces: created in a short-lived child (sharing the agent's memory, vfork-style) so
// the agent's own threads never change namespace, and kept alive by bind mounts of their nsfs files, so no pause process is needed.
#include "CSwiftletRuntime.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int bring_loopback_up(void) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    int result = ioctl(fd, SIOCGIFFLAGS, &request);
    if (result == 0) {
        request.ifr_flags |= IFF_UP;
        result = ioctl(fd, SIOCSIFFLAGS, &request);
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

static int bind_namespace(const char *ns_dir, const char *name, int *failed_step) {
    char target[4096], source[64];
    snprintf(target, sizeof(target), "%s/%s", ns_dir, name);
    snprintf(source, sizeof(source), "/proc/self/ns/%s", name);
    *failed_step = SL_STEP_BIND_NS;
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
    if (fd < 0) return -1;
    close(fd);
    return mount(source, target, NULL, MS_BIND, NULL);
}

// Sysctls under /proc/sys act on the namespaces of the writing task, so these land in the pod's.
static int write_sysctls(const char *const *paths, const char *const *values, size_t count) {
    for (size_t i = 0; i < count; i++) {
        char path[512];
        snprintf(path, sizeof(path), "/proc/sys/%s", paths[i]);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) return -1;
        size_t length = strlen(values[i]);
        ssize_t n = write(fd, values[i], length);
        int saved = errno;
        close(fd);
        if (n != (ssize_t)length) { errno = n < 0 ? saved : EIO; return -1; }
    }
    return 0;
}

typedef struct {
    int report_fd;
    const char *ns_dir, *hostname;
    const char *const *paths, *const *values;
    size_t count;
} child_args;

static void __attribute__((noreturn)) child_main(int report_fd, const char *ns_dir, const char *hostname,
                                                  const char *const *paths, const char *const *values, size_t count) {
    int step = SL_STEP_NAMESPACES;
    if (unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) == 0) {
        step = SL_STEP_HOSTNAME;
        if (!hostname || !hostname[0] || sethostname(hostname, strlen(hostname)) == 0) {
            step = SL_STEP_LOOPBACK;
            if (bring_loopback_up() == 0 && (step = SL_STEP_SYSCTL, write_sysctls(paths, values, count) == 0)
                && bind_namespace(ns_dir, "net", &step) == 0
                && bind_namespace(ns_dir, "ipc", &step) == 0 && bind_namespace(ns_dir, "uts", &step) == 0) {
                _exit(0);
            }
        }
    }
    SL_report failure = { .step = step, .error = errno };
    ssize_t ignored = write(report_fd, &failure, sizeof(failure));
    (void)ignored;
    _exit(1);
}

static int child_entry(void *argument) {
    const child_args *a = argument;
    child_main(a->report_fd, a->ns_dir, a->hostname, a->paths, a->values, a->count);
}

int SL_create_sandbox_namespaces(const char *ns_dir, const char *hostname, const char *const *sysctl_paths,
                                 const char *const *sysctl_values, size_t sysctl_count, int *failed_step) {
    int report[2];
    *failed_step = SL_STEP_CLONE;
    if (pipe2(report, O_CLOEXEC) < 0) return -1;

    // Every signal blocked around the clone. The child shares the agent's memory and runs on a
    // stack of its own while this thread waits (CLONE_VM | CLONE_VFORK, as posix_spawn does): no
    // copy of a large multi-threaded address space, and no copy-on-write faults in the agent's
    // other threads while it lives. It only makes system calls and exits.
    enum { STACK_SIZE = 64 * 1024 };
    void *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) { int saved = errno; close(report[0]); close(report[1]); errno = saved; return -1; }
    child_args arguments = { report[1], ns_dir, hostname, sysctl_paths, sysctl_values, sysctl_count };
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t child = clone(child_entry, (char *)stack + STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, &arguments);
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    munmap(stack, STACK_SIZE);
    close(report[1]);
    if (child < 0) { close(report[0]); errno = saved; return -1; }

    SL_report failure;
    ssize_t n;
    do { n = read(report[0], &failure, sizeof(failure)); } while (n < 0 && errno == EINTR);
    close(report[0]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    if (n == (ssize_t)sizeof(failure)) {
        *failed_step = failure.step;
        errno = failure.error;
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) { *failed_step = SL_STEP_CLONE; errno = ECHILD; return -1; }
    return 0;
}
