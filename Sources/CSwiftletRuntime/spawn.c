// posix_spawn for the agent: vfork-style, so nothing of the agent runs in the child before exec.
#include "CSwiftletRuntime.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

pid_t SL_spawn(const char *path, char *const argv[], char *const envp[], const int *fds, int fd_count, int new_session) {
    enum { MAX_FDS = 16 };
    if (fd_count > MAX_FDS) { errno = EINVAL; return -1; }
    // Copies above every target number first, so mapping fds[i] to i never clobbers a later source.
    int copies[MAX_FDS];
    for (int i = 0; i < fd_count; i++) {
        copies[i] = fds[i] < 0 ? -1 : fcntl(fds[i], F_DUPFD_CLOEXEC, 100);
        if (fds[i] >= 0 && copies[i] < 0) {
            int saved = errno;
            for (int j = 0; j < i; j++) if (copies[j] >= 0) close(copies[j]);
            errno = saved;
            return -1;
        }
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    for (int i = 0; i < fd_count; i++) {
        if (copies[i] < 0) posix_spawn_file_actions_addopen(&actions, i, "/dev/null", O_RDWR, 0);
        else posix_spawn_file_actions_adddup2(&actions, copies[i], i);
    }
    posix_spawn_file_actions_addclosefrom_np(&actions, fd_count);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (new_session) flags |= POSIX_SPAWN_SETSID;
    posix_spawnattr_setflags(&attributes, flags);

    pid_t pid = -1;
    int result = posix_spawn(&pid, path, &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    for (int i = 0; i < fd_count; i++) if (copies[i] >= 0) close(copies[i]);
    if (result != 0) { errno = result; return -1; }
    return pid;
}
