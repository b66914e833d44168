// Exec mode: a process that joins a running container — cgroups, then IPC, UTS, network, PID,
// cgroup and mount namespaces (mount last: it changes root and working directory) — and forks, because a
// PID namespace is entered only by children. The child applies identity, capabilities,
// no_new_privs and seccomp in the same order as the init path, then execs. The parent waits.
#include "CSwiftletRuntime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int SL_join_cgroups(const char *const *procs, size_t count);
int SL_apply_identity(const SL_spec *spec, int *failed_step);
int SL_lookup_executable(const char *name, char *const *envs, char *out, size_t size);

static int open_namespace(int pid, const char *name) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
    return open(path, O_RDONLY | O_CLOEXEC);
}

int SL_exec_in_container(const SL_spec *spec, int *failed_step) {
    static const struct { const char *name; int type; } order[] = {
        {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID},
        {"cgroup", CLONE_NEWCGROUP}, {"mnt", CLONE_NEWNS},
    };
    enum { COUNT = sizeof(order) / sizeof(order[0]) };
    int fds[COUNT];
    *failed_step = SL_STEP_SETNS;
    for (size_t i = 0; i < COUNT; i++) {
        fds[i] = open_namespace(spec->target_pid, order[i].name);
        if (fds[i] < 0) return -1;
    }
    *failed_step = SL_STEP_CGROUP;
    if (SL_join_cgroups(spec->cgroup_join, spec->cgroup_join_count) < 0) return -1;
    *failed_step = SL_STEP_SETNS;
    for (size_t i = 0; i < COUNT; i++) {
        if (setns(fds[i], order[i].type) < 0) return -1;
        close(fds[i]);
    }

    int report[2];
    *failed_step = SL_STEP_CLONE;
    if (pipe2(report, O_CLOEXEC) < 0) return -1;
    pid_t child = fork();
    if (child < 0) return -1;
    if (child == 0) {
        close(report[0]);
        int step = SL_STEP_EXEC;
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        // A terminal of the container's devpts (this process is in its mount namespace now).
        if (spec->tty && SL_open_console(spec->console_fd) < 0) step = SL_STEP_STDIO;
        if (spec->tty) close(spec->console_fd);
        struct sock_fprog program = {
            .len = (unsigned short)(spec->seccomp_program_length / sizeof(struct sock_filter)),
            .filter = (struct sock_filter *)spec->seccomp_program,
        };
        // As in the init path: without no_new_privs the filter must be loaded while CAP_SYS_ADMIN is held.
        int early = spec->seccomp_program && !spec->no_new_privs;
        if (step == SL_STEP_STDIO) {
            // no terminal: report below
        } else if (early && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) step = SL_STEP_SECCOMP;
        else if (SL_apply_identity(spec, &step) == 0) {
            step = SL_STEP_CWD;
            if (chdir(spec->cwd ? spec->cwd : "/") == 0) {
                step = SL_STEP_NO_NEW_PRIVS;
                if (!spec->no_new_privs || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0) {
                    step = SL_STEP_SECCOMP;
                    if (!spec->seccomp_program || early || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) == 0) {
                        char path[PATH_MAX];
                        step = SL_STEP_LOOKUP;
                        if (SL_lookup_executable(spec->args[0], spec->envs, path, sizeof(path)) == 0) {
                            step = SL_STEP_EXEC;
                            execve(path, spec->args, spec->envs);
                        }
                    }
                }
            }
        }
        SL_report failure = { .step = step, .error = errno };
        ssize_t ignored = write(report[1], &failure, sizeof(failure));
        (void)ignored;
        _exit(127);
    }
    close(report[1]);
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
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}
